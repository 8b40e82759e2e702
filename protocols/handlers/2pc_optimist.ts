// 2PC (../2pc.ded) judged by ../commit_assert_optimist.ded.
import { twoPhaseCommit } from "./twoPhaseCommit";

export default twoPhaseCommit({ timeout: false, optimist: true });
