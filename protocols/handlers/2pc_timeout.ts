// 2PC with a timeout (../2pc_timeout.ded) judged by ../commit_assert.ded.
import { twoPhaseCommit } from "./twoPhaseCommit";

export default twoPhaseCommit({ timeout: true, optimist: false });
