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

// --- dedalus ---

// --- ldfi ---

// --- viz ---
