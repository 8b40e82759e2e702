// 2PC (../2pc.ded) judged by ../commit_assert.ded.
import { twoPhaseCommit } from "./twoPhaseCommit";

export default twoPhaseCommit({ timeout: false, optimist: false });
