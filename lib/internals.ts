/**
 * maze/internals — the rest of the library, below the public surface of `maze` (lib/index.ts): the
 * parts the CLI, the grader, the site builder, the bench and the tests build on, and what a curious
 * student may reach for after the lessons (`import * as internals from "maze/internals";`). Nothing
 * here is exported by `maze` too: the two lists are disjoint (test/publicSurface.test.ts).
 *
 * @packageDocumentation
 */

// --- random (seeded PRNG shared by sim, crdt tests, ldfi baselines) ---
export type { Seed } from "./random/random";

// --- sim ---
export { runSimulation } from "./sim/simulator";
export { simulate, demoNodeNames, type GossipDemoOptions } from "./sim/demos";
export type {
  TraceEventKind,
  EventBase,
  StartEvent,
  DropEvent,
  DropReason,
  TimerEvent,
  CrashEvent,
  RecoverEvent,
  NoteEvent,
  PartitionEvent,
  HealEvent,
  MessageRecord,
  StopInfo,
  StopReason,
  TraceSummary,
  EventRef,
} from "./sim/trace";
export {
  validateSimConfig,
  DEFAULT_LINK,
  DEFAULT_MAX_EVENTS,
  REORDER_HOLD_FACTOR,
  type SimConfig,
  type NodeId,
  type LinkBehaviour,
  type LinkOverride,
  type PartitionSpec,
  type CrashSpec,
  type SimLimits,
} from "./sim/config";
export { SimConfigError, SimHandlerError } from "./sim/errors";
export { sampleLatency, validateLatency, type Latency } from "./sim/latency";
export { EventQueue } from "./sim/eventQueue";
export type { NodeHandlers } from "./sim/node";

// --- crdt ---
export { defineCrdt, canonicalJson, CrdtStateError, CrdtOpError, type Lattice, type CrdtDefinition, type ReplicaId } from "./crdt/lattice";
export { CausalContext, dot, parseDot, type Dot } from "./crdt/causalContext";
export type { GCounterState, GCounterOp } from "./crdt/gCounter";
export type { PNCounterState, PNCounterOp } from "./crdt/pnCounter";
export type { LWWRegisterState, LWWRegisterOp } from "./crdt/lwwRegister";
export type { MVRegisterState, MVRegisterOp } from "./crdt/mvRegister";
export { gSet, type GSetState, type GSetOp } from "./crdt/gSet";
export type { TwoPhaseSetState, TwoPhaseSetOp } from "./crdt/twoPhaseSet";
export type { ORSetState, ORSetOp, DotSetState } from "./crdt/orSet";
export { orMap, type ORMapState, type ORMapOp } from "./crdt/orMap";
export { rgaOrder, rgaVisible, type RgaState, type RgaOp, type RgaNode } from "./crdt/rga";
export {
  runReplicas,
  fnv1a,
  DEFAULT_GOSSIP_TAIL,
  type ReplicaRunConfig,
  type ReplicaRun,
  type ScheduledOp,
  type AntiEntropyMode,
  type AntiEntropyMessage,
  type ReplicaObservation,
} from "./crdt/antiEntropy";
export type { CrdtEntry } from "./crdt/workloads";

// --- dedalus ---
export {
  type Span,
  type Value,
  type Term,
  type VarTerm,
  type WildcardTerm,
  type ConstTerm,
  type BinaryTerm,
  type AggregateTerm,
  type HeadTerm,
  type Head,
  type HeadTime,
  type BodyAtom,
  type Comparison,
  type BodyItem,
  type Rule,
  type FactStatement,
  type IncludeStatement,
  type Statement,
  type SourceMap,
  type ArithOp,
  type CompareOp,
  type AggregateFn,
  formatTerm,
  formatBodyItem,
} from "./dedalus/ast";
export {
  formatDiagnostic,
  sortDiagnostics,
  hasErrors,
  DedalusError,
  DIAGNOSTIC_CODES,
  diagnosticCodeTable,
  type Diagnostic,
  type DiagnosticCode,
  type Severity,
} from "./dedalus/diagnostics";
export {
  parseProgram,
  loadChecked,
  checkParsed,
  reportDiagnostics,
  checkedOrThrow,
  MAX_PROGRAM_BYTES,
  type SourceFile,
  type LoadOptions,
  type CheckedProgram,
} from "./dedalus/load";
export { formatValue, formatFact, formatEdge } from "./dedalus/factText";
export { messageKey } from "./dedalus/messageKey";
export { isReservedName, CRASH_RELATION, type ColumnType, type RelationInfo, type ProgramInfo } from "./dedalus/check";
export {
  compileProgram,
  compareArgs,
  type RunOptions,
  type RunResult,
  type RunLimits,
  type Omission,
  type Crash,
  type MessageEvent,
  type MessageLoss,
  type CompiledProgram,
} from "./dedalus/runtime";
export {
  DedalusLimitError,
  DedalusRuntimeError,
  DEFAULT_MAX_TUPLES,
  DEFAULT_WALL_MS,
  MAX_EOT,
  MAX_EXACT_INTEGER,
  HEAP_CEILING_SHARE,
  defaultHeapCeiling,
  heapUsedBytes,
  type LimitName,
} from "./dedalus/limits";
export { runNaive } from "./dedalus/naive";
export { MAX_EXPRESSION_DEPTH, MAX_PARSE_DIAGNOSTICS } from "./dedalus/parser";
export {
  support,
  holds,
  evaluateSupport,
  edgeKey,
  ProvenanceNotRecordedError,
  type SupportFaults,
  type RuleRef,
  type NegPremise,
  type SupportNode,
  type SupportGraph,
  type SupportOptions,
} from "./dedalus/provenance";
export type { CalmAnalysis, RuleMonotonicity, RelationMonotonicity, NonMonotoneReason, CoordinationPoint, AsyncHop } from "./dedalus/calm";
export { checkWarnings, WARNING_CODES, type WarningCode } from "./dedalus/warnings";
export { checkLocality, invariantRelations, type LocalityMode } from "./dedalus/locality";
export { MAX_SCHEDULES, type SpreadOptions, type Outcome, type OutcomeSpread } from "./dedalus/outcomes";

// --- ldfi ---
export { searchFaults } from "./ldfi/search";
export { ldfiSearch } from "./ldfi/loop";
export { randomSearch, exhaustiveSearch, randomFaults, allFaultSets, DEFAULT_RANDOM_SEED, RANDOM_OMISSION_RATE } from "./ldfi/baselines";
export {
  enumerateHypotheses,
  enumerateFound,
  finishEnumeration,
  type HypothesisQuery,
  type HypothesisResult,
  type FoundHypotheses,
} from "./ldfi/encode";
export { expansionOf, keptGoals, tierNegativeSupport, type RunExpansion, type ExpansionContext } from "./ldfi/expansion";
export {
  closeLdfiPool,
  defaultJobs,
  idleCoreProbe,
  ldfiPoolAnswers,
  parseProcStat,
  spareCoreBetween,
  type CpuTimes,
  type TargetRecipe,
} from "./ldfi/pool";
export {
  faultSet,
  faultCount,
  faultKey,
  formatFaults,
  isSubset,
  withinBounds,
  breaksEdge,
  replayFlags,
  checkBounds,
  FaultBoundsError,
  NO_FAULTS,
  type OmissionFault,
  type CrashFault,
  type FaultSet,
  type FaultBounds,
} from "./ldfi/faults";
export {
  survives as supportSurvives,
  edgesOf as supportEdgesOf,
  type SupportNode as LdfiSupportNode,
  type SupportGraph as LdfiSupportGraph,
} from "./ldfi/lineage";
export { violations, type Observation, type ObservedMessage, type FaultTarget, type LineageQueryOptions } from "./ldfi/observation";
export {
  DEFAULT_MAX_RUNS,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_ORDER,
  DEFAULT_POOL_AFTER_MS,
  DEFAULT_RUN_WALL_MS,
  SEARCH_LIMITS,
  SearchLimitError,
  type ExecutionBudget,
  type Strategy,
  type Verdict,
  type SearchLimit,
  type SearchOptions,
  type SearchRun,
  type SearchResult,
  type HypothesisOrder,
} from "./ldfi/result";
export { SearchSession, MAX_KEPT_OBSERVATIONS, type SearchEnd } from "./ldfi/session";
export {
  dedalusTarget,
  formatTuple,
  requireAlive,
  type DedalusEngine,
  type DedalusRunView,
  type DedalusFact,
  type DedalusObservation,
} from "./ldfi/dedalusTarget";
export { crashReading, dedalusEngine, dedalusProgramTarget, postReadsCrash, readsCrashTime } from "./ldfi/dedalusEngine";
export { CdclSat } from "./ldfi/cdcl";
export { LogicSolverSat, MAX_SAT_CLAUSES, SatLimitError, type SatSolver, type SatModel, type Literal } from "./ldfi/sat";
export { SequentialCounter } from "./ldfi/cardinality";
export { buildLdfiReport, writeLdfiReport, replayCommand, escapeHtml, MAX_REPORT_SPACETIMES, type LdfiReportInput } from "./viz/report";
export { ldfiSpacetimeSpec, type LdfiSpacetimeInput } from "./viz/ldfiSpacetime";
export { lineageGraphSpec, MAX_LINEAGE_NODES as MAX_REPORT_LINEAGE_NODES } from "./viz/reportLineage";

// --- ldfi on protocols written as TypeScript handlers (DESIGN.md section 13) ---
export { isSimProtocol, SimProtocolError, SIM_PROTOCOL_BRAND, type SimProtocolSpec, type SimProtocolNode } from "./ldfi/handlers/protocol";
export {
  runTicks,
  DEFAULT_HANDLER_SEED,
  type TickRun,
  type TickRunOptions,
  type TickMessage,
  type TickFate,
  type KeyReads,
} from "./ldfi/handlers/ticks";
export { HandlerGuard, HANDLER_TIMEOUT_MS, type CallSite } from "./ldfi/handlers/guard";
export {
  handlerTarget,
  causalSupport,
  observedMessages,
  messageLabel,
  type HandlerTarget,
  type HandlerTargetOptions,
  type HandlerObservation,
} from "./ldfi/handlers/target";
export {
  handlerSearch,
  effectiveFaults,
  ReplayMismatchError,
  type HandlerSearchResult,
  type CompletionStats,
} from "./ldfi/handlers/search";
export {
  loadSimProtocol,
  setProtocolTranspiler,
  isProtocolModulePath,
  ProtocolLoadError,
  PROTOCOL_MODULE_EXTENSIONS,
  type LoadedProtocol,
  type ProtocolTranspiler,
} from "./ldfi/handlers/load";
export { loadTwins, searchTwin, twinsTable, parseBounds, type Twin, type TwinBound, type TwinResult } from "./ldfi/handlers/twins";

// --- viz ---
export { renderSvg } from "./viz/render";
export {
  layoutLineage,
  MAX_LINEAGE_NODES,
  type LineageGraph,
  type LineageNode,
  type LineageEdge,
  type LineageNodeKind,
  type LineageEdgeKind,
  type LineageOptions,
  type LineageChartOptions,
  type PlacedNode,
} from "./viz/lineage";
export { tupleTimelines, MAX_HEATMAP_ROWS, type RelationViewOptions, type TupleTimeline } from "./viz/relations";
export { SPACETIME_MAX_MESSAGES, type SpacetimeOptions } from "./viz/spacetime";
export type { ConvergenceOptions } from "./viz/convergence";
export type { HistogramOptions } from "./viz/histogram";

// --- helpers the lessons call: inline programs, the protocol corpus, LDFI with lesson defaults, student programs ---
export type { StateInterval, StateTimelineOptions } from "./viz/stateTimeline";
export { faultsText, lostPost, LESSON_MAX_RUNS, LESSON_TIMEOUT_MS, type LdfiCheckOptions, type LdfiSummaryRow } from "./ldfi/lessonSearch";
export { MAX_SHOWN_DIAGNOSTICS, type StudentProgramSpec, type StudentProgram } from "./labs/studentProgram";
export { HANDLER_TWINS_DIR } from "./protocols/corpus";

// --- labs (autograded checks; the grader in kernel/grading runs them in its own process, the notebook only answers) ---
export { LABS } from "./labs/registry";
export type { SelfCheckRow } from "./labs/selfCheck";
export { runLab, testResult, type GradeEvent, type RunLabOptions } from "./labs/runLab";
export {
  serveLab,
  LAB_MESSAGE,
  MAX_DEFINITION_CHARS,
  type LabChildMessage,
  type LabParentMessage,
  type ServedDefinition,
} from "./labs/serveLab";
export {
  MissingDefinitionError,
  checksTable,
  requireDefinition,
  type CheckContext,
  type DefinitionSpec,
  type Lab,
  type LabTest,
  type StudentScope,
  type TestResult,
} from "./labs/labContract";
export { lab1Crdt, asGraderSession, LAB1_PUBLIC_SEED, type Lab1Gossip, type StudentCounter, type StudentSet } from "./labs/lab1Crdt";
export {
  answerCrdtQuestions,
  localCrdtSession,
  snapshotState,
  validateCrdtAnswers,
  CRDT_FUNCTIONS,
  MAX_QUESTIONS,
  MAX_SNAPSHOT_CHARS,
  type CrdtAnswer,
  type CrdtFunction,
  type CrdtKind,
  type CrdtOperation,
  type CrdtQuestion,
  type CrdtSession,
  type Mutation,
} from "./labs/crdtQuestions";
export { lab2Broadcast, LAB2_NODES, LAB2_BOUNDS } from "./labs/lab2Broadcast";
export { lab3BugHunt, LAB3_NODES } from "./labs/lab3BugHunt";
export { lab4Calm, SEAL_PREFIX } from "./labs/lab4Calm";
export {
  lab5Handlers,
  lab5Search,
  lab5Payload,
  lab5Audit,
  evaluateLab5,
  localOracle,
  runInWords,
  lab5ReplayCall,
  asLab5GraderSession,
  LAB5_MAX_RUNS,
  LAB5_PUBLIC_SEED,
  type Lab5Protocol,
  type Lab5Check,
  type Lab5Outcome,
  type Lab5Session,
  type Lab5Try,
} from "./labs/lab5Handlers";
export {
  answerProtocolQuestions,
  protocolAnswerer,
  validateProtocolAnswer,
  replayAnswer,
  sessionTarget,
  HistoryLedger,
  SessionAnswerError,
  SessionProtocolError,
  SESSION_LIMITS,
  type ProtocolQuestion,
  type ProtocolAnswer,
  type ProtocolFactory,
  type RecordedCall,
  type RecordedSend,
  type RecordedTimer,
  type SessionFailure,
  type SessionOracle,
  type SessionTargetOptions,
} from "./labs/protocolSession";
