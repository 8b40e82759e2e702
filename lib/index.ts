/**
 * maze — the public library: what the course's notebooks, labs and protocol modules use, each name
 * documented. A notebook reaches it as `import * as maze from "maze";` (kernel/notebook.ts adds the
 * lesson-specific code of `course/` and the display helpers). Everything else the library exports —
 * what the CLI, the grader, the site builder, the bench and the tests build on — is in
 * `maze/internals` (lib/internals.ts). The list of public names is decided in
 * test/publicSurface.json: a name added here without adding it there fails the suite.
 *
 * Named re-exports only, one section per concept. Dependencies point downwards: sim, crdt and
 * dedalus at the bottom, then ldfi, viz and labs; course, cli, kernel, lessons and the notebooks on
 * top.
 *
 * @packageDocumentation
 */

// --- random (seeded PRNG shared by sim, crdt tests, ldfi baselines) ---
export { Random } from "./random/random";

// --- sim ---
export { gossipDemo, slowOrDeadDemo } from "./sim/demos";
export { Trace, type TraceEvent, type ClockedEvent, type SendEvent, type DeliverEvent } from "./sim/trace";
export type { NodeContext } from "./sim/node";

// --- crdt ---
export type { Crdt, Json } from "./crdt/lattice";
export { gCounter } from "./crdt/gCounter";
export { pnCounter } from "./crdt/pnCounter";
export { lwwRegister } from "./crdt/lwwRegister";
export { mvRegister } from "./crdt/mvRegister";
export { twoPhaseSet } from "./crdt/twoPhaseSet";
export { orSet } from "./crdt/orSet";
export { rga, rgaInsertAt, rgaDeleteAt } from "./crdt/rga";
export { Replica } from "./crdt/replica";
export { crdtCatalog, type AnyCrdtEntry } from "./crdt/workloads";

// --- dedalus ---
export { type Program, formatRule } from "./dedalus/ast";
export { formatLocation } from "./dedalus/diagnostics";
export { parseSource, loadProgram } from "./dedalus/load";
export { checkProgram } from "./dedalus/check";
export { runProgram, type FailureSpec, type Fact } from "./dedalus/runtime";
export { why, type Derivation, type MessageEdge } from "./dedalus/provenance";
export { analyzeCalm, classifyRule, formatCalm } from "./dedalus/calm";
export { outcomeSpread, scheduleDelay } from "./dedalus/outcomes";

// --- ldfi on protocols written as TypeScript handlers (DESIGN.md section 13) ---
export { defineSimProtocol, type SimProtocol, type SimRunView } from "./ldfi/handlers/protocol";

// --- viz ---
export type { VegaLiteSpec } from "./viz/render";
export { lineageOf, lineageChart, factLabel } from "./viz/lineage";
export { relationHeatmap, relationTable } from "./viz/relations";
export { spacetimeDiagram } from "./viz/spacetime";
export { convergenceChart } from "./viz/convergence";
export { latencyHistogram } from "./viz/histogram";

// --- helpers the lessons call: inline programs, the protocol corpus, LDFI with lesson defaults, student programs ---
export { stateIntervals, stateTimelineSpec } from "./viz/stateTimeline";
export { dedalusProgram } from "./dedalus/inlineProgram";
export { protocolProgram, protocolSource, PROTOCOLS_DIR } from "./protocols/corpus";
export { ldfiCheck, ldfiSummary, ldfiRunRows, faults, replayFaults } from "./ldfi/lessonSearch";
export { faultRunSpacetime } from "./viz/ldfiSpacetime";
export { loadStudentProgram } from "./labs/studentProgram";

// --- labs (autograded checks; the grader in kernel/grading runs them in its own process, the notebook only answers) ---
export { selfCheck } from "./labs/selfCheck";
export { lab1Gossip } from "./labs/lab1Crdt";
export { lab2Search, LAB2_PROGRAM } from "./labs/lab2Broadcast";
export {
  lab3FixSearch,
  lab3BuggySource,
  lab3BuggyProgram,
  LAB3_FILES,
  LAB3_BOUNDS,
  LAB3_PROGRAM,
  type RecordedFaults,
} from "./labs/lab3BugHunt";
export { LAB4_GIVEN_PROGRAM, unsealedPoints } from "./labs/lab4Calm";
export { lab5Try, lab5Spacetime, lab5Pre, lab5Post, LAB5_NODES, LAB5_ORIGIN, LAB5_BOUNDS, type Lab5State } from "./labs/lab5Handlers";
