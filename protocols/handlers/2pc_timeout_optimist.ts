// 2PC with a timeout (../2pc_timeout.ded) judged by ../commit_assert_optimist.ded.
import { twoPhaseCommit } from "./twoPhaseCommit";

export default twoPhaseCommit({ timeout: true, optimist: true });
