/**
 * maze — the shared library behind the notebooks, lessons, slides, CLI and tests.
 *
 * Named re-exports only, one section per concept. Dependency direction:
 * sim, crdt, dedalus <- ldfi <- viz <- cli / kernel / lessons / notebooks.
 *
 * @packageDocumentation
 */

// --- random (seeded PRNG shared by sim, crdt tests, ldfi baselines) ---
export { Random, type Seed } from "./random/random";

// --- sim ---
export { runSimulation } from "./sim/simulator";
export { simulate, gossipDemo, slowOrDeadDemo, demoNodeNames, type GossipDemoOptions } from "./sim/demos";
export { Trace, type TraceEvent, type TraceEventKind, type ClockedEvent, type EventBase, type StartEvent, type SendEvent, type DeliverEvent, type DropEvent, type DropReason, type TimerEvent, type CrashEvent, type RecoverEvent, type NoteEvent, type PartitionEvent, type HealEvent, type MessageRecord, type StopInfo, type StopReason, type TraceSummary, type EventRef } from "./sim/trace";
export { validateSimConfig, DEFAULT_LINK, DEFAULT_MAX_EVENTS, REORDER_HOLD_FACTOR, type SimConfig, type NodeId, type LinkBehaviour, type LinkOverride, type PartitionSpec, type CrashSpec, type SimLimits } from "./sim/config";
export { SimConfigError, SimHandlerError } from "./sim/errors";
export { sampleLatency, validateLatency, type Latency } from "./sim/latency";
export { EventQueue } from "./sim/eventQueue";
export type { NodeContext, NodeHandlers } from "./sim/node";

// --- crdt ---
export { defineCrdt, canonicalJson, CrdtStateError, CrdtOpError, type Lattice, type Crdt, type CrdtDefinition, type Json, type ReplicaId } from "./crdt/lattice";
export { CausalContext, dot, parseDot, type Dot } from "./crdt/causalContext";
export { gCounter, type GCounterState, type GCounterOp } from "./crdt/gCounter";
export { pnCounter, type PNCounterState, type PNCounterOp } from "./crdt/pnCounter";
export { lwwRegister, type LWWRegisterState, type LWWRegisterOp } from "./crdt/lwwRegister";
export { mvRegister, type MVRegisterState, type MVRegisterOp } from "./crdt/mvRegister";
export { gSet, type GSetState, type GSetOp } from "./crdt/gSet";
export { twoPhaseSet, type TwoPhaseSetState, type TwoPhaseSetOp } from "./crdt/twoPhaseSet";
export { orSet, type ORSetState, type ORSetOp, type DotSetState } from "./crdt/orSet";
export { orMap, type ORMapState, type ORMapOp } from "./crdt/orMap";
export { rga, rgaInsertAt, rgaDeleteAt, rgaOrder, rgaVisible, type RgaState, type RgaOp, type RgaNode } from "./crdt/rga";
export { Replica } from "./crdt/replica";
export { runReplicas, fnv1a, DEFAULT_GOSSIP_TAIL, type ReplicaRunConfig, type ReplicaRun, type ScheduledOp, type AntiEntropyMode, type AntiEntropyMessage, type ReplicaObservation } from "./crdt/antiEntropy";
export { crdtCatalog, type CrdtEntry, type AnyCrdtEntry } from "./crdt/workloads";

// --- dedalus ---
export type { Span, Value, Term, VarTerm, WildcardTerm, ConstTerm, BinaryTerm, AggregateTerm, HeadTerm, Head, HeadTime, BodyAtom, Comparison, BodyItem, Rule, FactStatement, IncludeStatement, Statement, SourceMap, Program, ArithOp, CompareOp, AggregateFn } from "./dedalus/ast";
export { formatRule, formatTerm, formatBodyItem } from "./dedalus/ast";
export { formatDiagnostic, formatLocation, sortDiagnostics, hasErrors, DedalusError, DIAGNOSTIC_CODES, diagnosticCodeTable, type Diagnostic, type DiagnosticCode, type Severity } from "./dedalus/diagnostics";
export { parseProgram, parseSource, loadProgram, loadChecked, checkParsed, reportDiagnostics, checkedOrThrow, MAX_PROGRAM_BYTES, type SourceFile, type LoadOptions, type CheckedProgram } from "./dedalus/load";
export { formatValue, formatFact, formatEdge } from "./dedalus/factText";
export { messageKey } from "./dedalus/messageKey";
export { checkProgram, isReservedName, CRASH_RELATION, type ColumnType, type RelationInfo, type ProgramInfo } from "./dedalus/check";
export { runProgram, compileProgram, compareArgs, type RunOptions, type RunResult, type RunLimits, type FailureSpec, type Omission, type Crash, type Fact, type MessageEvent, type MessageLoss, type CompiledProgram } from "./dedalus/runtime";
export { DedalusLimitError, DedalusRuntimeError, DEFAULT_MAX_TUPLES, DEFAULT_WALL_MS, MAX_EOT, MAX_EXACT_INTEGER, HEAP_CEILING_SHARE, defaultHeapCeiling, heapUsedBytes, type LimitName } from "./dedalus/limits";
export { runNaive } from "./dedalus/naive";
export { MAX_EXPRESSION_DEPTH, MAX_PARSE_DIAGNOSTICS } from "./dedalus/parser";
export { why, support, holds, evaluateSupport, edgeKey, ProvenanceNotRecordedError, type SupportFaults, type Derivation, type RuleRef, type NegPremise, type MessageEdge, type SupportNode, type SupportGraph, type SupportOptions } from "./dedalus/provenance";
export { analyzeCalm, classifyRule, formatCalm, type CalmAnalysis, type RuleMonotonicity, type RelationMonotonicity, type NonMonotoneReason, type CoordinationPoint, type AsyncHop } from "./dedalus/calm";
export { checkWarnings, WARNING_CODES, type WarningCode } from "./dedalus/warnings";
export { checkLocality, invariantRelations, type LocalityMode } from "./dedalus/locality";
export { outcomeSpread, scheduleDelay, MAX_SCHEDULES, type SpreadOptions, type Outcome, type OutcomeSpread } from "./dedalus/outcomes";

// --- ldfi ---
export { searchFaults } from "./ldfi/search";
export { ldfiSearch } from "./ldfi/loop";
export { randomSearch, exhaustiveSearch, randomFaults, allFaultSets, DEFAULT_RANDOM_SEED, RANDOM_OMISSION_RATE } from "./ldfi/baselines";
export { enumerateHypotheses, enumerateFound, finishEnumeration, type HypothesisQuery, type HypothesisResult, type FoundHypotheses } from "./ldfi/encode";
export { expansionOf, keptGoals, tierNegativeSupport, type RunExpansion, type ExpansionContext } from "./ldfi/expansion";
export { closeLdfiPool, defaultJobs, idleCoreAvailable, ldfiPoolAnswers, type TargetRecipe } from "./ldfi/pool";
export { faultSet, faultCount, faultKey, formatFaults, isSubset, withinBounds, breaksEdge, replayFlags, checkBounds, FaultBoundsError, NO_FAULTS, type OmissionFault, type CrashFault, type FaultSet, type FaultBounds } from "./ldfi/faults";
export { survives as supportSurvives, edgesOf as supportEdgesOf, type SupportNode as LdfiSupportNode, type SupportGraph as LdfiSupportGraph } from "./ldfi/lineage";
export { violations, type Observation, type ObservedMessage, type FaultTarget, type LineageQueryOptions } from "./ldfi/observation";
export { DEFAULT_MAX_RUNS, DEFAULT_TIMEOUT_MS, DEFAULT_ORDER, DEFAULT_POOL_AFTER_MS, DEFAULT_RUN_WALL_MS, SEARCH_LIMITS, SearchLimitError, type ExecutionBudget, type Strategy, type Verdict, type SearchLimit, type SearchOptions, type SearchRun, type SearchResult, type HypothesisOrder } from "./ldfi/result";
export { SearchSession, MAX_KEPT_OBSERVATIONS, type SearchEnd } from "./ldfi/session";
export { dedalusTarget, formatTuple, requireAlive, type DedalusEngine, type DedalusRunView, type DedalusFact, type DedalusObservation } from "./ldfi/dedalusTarget";
export { dedalusEngine, dedalusProgramTarget, postReadsCrash } from "./ldfi/dedalusEngine";
export { CdclSat } from "./ldfi/cdcl";
export { LogicSolverSat, MAX_SAT_CLAUSES, SatLimitError, type SatSolver, type SatModel, type Literal } from "./ldfi/sat";
export { SequentialCounter } from "./ldfi/cardinality";
export { buildLdfiReport, writeLdfiReport, replayCommand, escapeHtml, MAX_REPORT_SPACETIMES, type LdfiReportInput } from "./viz/report";
export { ldfiSpacetimeSpec, type LdfiSpacetimeInput } from "./viz/ldfiSpacetime";
export { lineageGraphSpec, MAX_LINEAGE_NODES as MAX_REPORT_LINEAGE_NODES } from "./viz/reportLineage";

// --- ldfi on protocols written as TypeScript handlers (DESIGN.md section 13) ---
export { defineSimProtocol, isSimProtocol, SimProtocolError, SIM_PROTOCOL_BRAND, type SimProtocol, type SimProtocolSpec, type SimProtocolNode, type SimRunView } from "./ldfi/handlers/protocol";
export { runTicks, DEFAULT_HANDLER_SEED, type TickRun, type TickRunOptions, type TickMessage, type TickFate, type KeyReads } from "./ldfi/handlers/ticks";
export { HandlerGuard, HANDLER_TIMEOUT_MS, type CallSite } from "./ldfi/handlers/guard";
export { handlerTarget, causalSupport, observedMessages, messageLabel, type HandlerTarget, type HandlerTargetOptions, type HandlerObservation } from "./ldfi/handlers/target";
export { handlerSearch, effectiveFaults, ReplayMismatchError, type HandlerSearchResult, type CompletionStats } from "./ldfi/handlers/search";
export { loadSimProtocol, setProtocolTranspiler, isProtocolModulePath, ProtocolLoadError, PROTOCOL_MODULE_EXTENSIONS, type LoadedProtocol, type ProtocolTranspiler } from "./ldfi/handlers/load";
export { loadTwins, searchTwin, twinsTable, parseBounds, type Twin, type TwinBound, type TwinResult } from "./ldfi/handlers/twins";

// --- viz ---
export { renderSvg, type VegaLiteSpec } from "./viz/render";
export { lineageOf, lineageChart, layoutLineage, factLabel, MAX_LINEAGE_NODES, type LineageGraph, type LineageNode, type LineageEdge, type LineageNodeKind, type LineageEdgeKind, type LineageOptions, type LineageChartOptions, type PlacedNode } from "./viz/lineage";
export { relationHeatmap, relationTable, tupleTimelines, MAX_HEATMAP_ROWS, type RelationViewOptions, type TupleTimeline } from "./viz/relations";
export { spacetimeDiagram, SPACETIME_MAX_MESSAGES, type SpacetimeOptions } from "./viz/spacetime";
export { convergenceChart, type ConvergenceOptions } from "./viz/convergence";
export { latencyHistogram, type HistogramOptions } from "./viz/histogram";

// --- experiments (lesson-specific runs that return data for charts) ---
export { countIncrements, lostIncrementsSweep, type CounterDesign, type CountingOptions, type CountingResult, type LostIncrementsRow } from "./experiments/lostIncrements";
export { divergeThenConverge, collaborativeText, randomTyping, ROUGH_NETWORK, type DivergeOptions, type DivergeResult } from "./experiments/divergeConverge";
export { antiEntropyCost, ANTI_ENTROPY_MODES, type AntiEntropyCostOptions, type AntiEntropyCostRow } from "./experiments/antiEntropyCost";
export { oversell, oversellOverSchedules, type SalePolicy, type OversellOptions, type OversellResult, type OversellRow } from "./experiments/oversell";
export { cartCheckout, cartContents, checkoutOutcomes, wrongCheckoutsByDelay, SHOPPING_SESSION, SHOPPER, type CheckoutPolicy, type CartAction, type CartOptions, type CartResult, type CheckoutOutcome, type DelayRow } from "./experiments/cartCheckout";
export { runTwoPhaseCommit, participantNames, COORDINATOR, TWO_PC_LATENCY, type TwoPcMessage, type ParticipantState, type TwoPhaseCommitOptions, type ParticipantOutcome, type TwoPhaseCommitRun } from "./experiments/twoPhaseCommit";
export { stateIntervals, stateTimelineSpec, type StateInterval, type StateTimelineOptions } from "./experiments/stateTimeline";
export { runHeartbeatDetector, sweepTimeouts, detectorTimeline, timeoutTradeoffSpec, HEARTBEAT_LATENCY, type HeartbeatDetectorOptions, type HeartbeatDetectorRun, type TimeoutSweepRow } from "./experiments/timeoutDetector";
export { runPingDetector, pingDetectorTimeline, SLOW_BOUNDED_LINK, type TimeoutPolicy, type PingDetectorOptions, type PingDetectorRun } from "./experiments/eventuallyPerfect";
export { runSequence, receivedOrder, faultGallery, FAULT_SCENARIOS, GALLERY_LATENCY, type FaultSetting, type FaultScenario, type SequenceOptions, type FaultGalleryRow } from "./experiments/faultGallery";
export { runCoordinationCost, coordinationCostSweep, coordinationCostSpec, throughputOverTime, throughputOverTimeSpec, partitionPhases, UPDATE_MODE_LABELS, type UpdateMode, type CoordinationCostOptions, type CoordinationCostResult, type ThroughputPoint, type PartitionPhaseRow } from "./experiments/coordinationCost";
export { dedalusProgram } from "./experiments/lessonProgram";
export { outcomeCountRows, outcomeCountsSpec, distinctOutcomesByEot, distinctOutcomesByEotSpec, type NamedSpread, type OutcomeCountRow, type OutcomeCountsOptions, type EotSpreadCase, type EotSpreadRow, type EotSpreadOptions } from "./experiments/outcomeCounts";
export { protocolProgram, protocolSource, ldfiCheck, ldfiSummary, ldfiRunRows, faultsText, faults, replayFaults, lostPost, faultRunSpacetime, PROTOCOLS_DIR, LESSON_MAX_RUNS, LESSON_TIMEOUT_MS, type LdfiCheckOptions, type LdfiSummaryRow } from "./experiments/ldfiCheck";
export { edgeLabel, supportEdges, singleLossImpact, singleLossSpec, minimalCuts, supportChart, type SingleLossRow } from "./experiments/lineageSupport";
export { executionsToFirstBug, raceSummary, executionsToFirstBugSpec, type RaceCase, type RaceRow } from "./experiments/injectionRace";
export { faultCombinations, gossipBroadcast, faultSpaceSweep, faultSpaceSpec, MAX_GOSSIP_NODES, type FaultSpaceBounds, type FaultSpaceRow, type FaultSpaceSweep, type FaultSpaceSweepOptions } from "./experiments/faultSpace";
export { loadStudentProgram, MAX_SHOWN_DIAGNOSTICS, type StudentProgramSpec, type StudentProgram } from "./experiments/studentProgram";
export { handlerTwin, handlerTwinVariant, handlerTwinSource, handlerCheck, protocolCheck, handlerSummary, handlerRun, handlerRunSpacetime, handlerSupportRows, twinRows, HANDLER_TWINS_DIR, type HandlerSummaryRow, type TwinRow } from "./experiments/handlerLesson";

// --- labs (autograded checks; the grader in kernel/grading runs them in its own process, the notebook only answers) ---
export { LABS } from "./labs/registry";
export { selfCheck, type SelfCheckRow } from "./labs/selfCheck";
export { runLab, testResult, type GradeEvent, type RunLabOptions } from "./labs/runLab";
export { serveLab, LAB_MESSAGE, MAX_DEFINITION_CHARS, type LabChildMessage, type LabParentMessage, type ServedDefinition } from "./labs/serveLab";
export { MissingDefinitionError, checksTable, requireDefinition, type CheckContext, type DefinitionSpec, type Lab, type LabTest, type StudentScope, type TestResult } from "./labs/lab";
export { lab1Crdt, lab1Gossip, asGraderSession, LAB1_PUBLIC_SEED, type Lab1Gossip, type StudentCounter, type StudentSet } from "./labs/lab1Crdt";
export { answerCrdtQuestions, localCrdtSession, snapshotState, validateCrdtAnswers, CRDT_FUNCTIONS, MAX_QUESTIONS, MAX_SNAPSHOT_CHARS, type CrdtAnswer, type CrdtFunction, type CrdtKind, type CrdtOperation, type CrdtQuestion, type CrdtSession, type Mutation } from "./labs/crdtQuestions";
export { lab2Broadcast, lab2Search, LAB2_PROGRAM, LAB2_NODES, LAB2_BOUNDS } from "./labs/lab2Broadcast";
export { lab3BugHunt, lab3FixSearch, lab3BuggySource, lab3BuggyProgram, LAB3_FILES, LAB3_BOUNDS, LAB3_NODES, LAB3_PROGRAM, type RecordedFaults } from "./labs/lab3BugHunt";
export { lab4Calm, LAB4_GIVEN_PROGRAM, SEAL_PREFIX, unsealedPoints } from "./labs/lab4Calm";
export { lab5Handlers, lab5Search, lab5Try, lab5Spacetime, lab5Payload, lab5Pre, lab5Post, lab5Audit, evaluateLab5, localOracle, runInWords, lab5ReplayCall, asLab5GraderSession, LAB5_NODES, LAB5_ORIGIN, LAB5_BOUNDS, LAB5_MAX_RUNS, LAB5_PUBLIC_SEED, type Lab5State, type Lab5Protocol, type Lab5Check, type Lab5Outcome, type Lab5Session, type Lab5Try } from "./labs/lab5Handlers";
export { answerProtocolQuestions, protocolAnswerer, validateProtocolAnswer, replayAnswer, sessionTarget, HistoryLedger, SessionAnswerError, SessionProtocolError, SESSION_LIMITS, type ProtocolQuestion, type ProtocolAnswer, type ProtocolFactory, type RecordedCall, type RecordedSend, type RecordedTimer, type SessionFailure, type SessionOracle, type SessionTargetOptions } from "./labs/protocolSession";
