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

// --- ldfi ---

// --- viz ---
