/**
 * The course's lesson-specific code: the experiments a lesson's cells call (each runs one scenario
 * and returns rows or a chart), re-exported here by the names the notebooks use. `maze`
 * (kernel/notebook.ts) re-exports this file, so every `maze.x` a notebook calls resolves as before.
 * The generic pieces the lessons share live in the library (lib/index.ts).
 *
 * @packageDocumentation
 */

export { countIncrements, lostIncrementsSweep } from "./lostIncrements";
export { collaborativeText } from "./divergeConverge";
export { antiEntropyCost } from "./antiEntropyCost";
export { oversell, oversellOverSchedules, type OversellRow } from "./oversell";
export { cartCheckout, cartContents, checkoutOutcomes, wrongCheckoutsByDelay, SHOPPING_SESSION } from "./cartCheckout";
export { runTwoPhaseCommit, type TwoPhaseCommitRun } from "./twoPhaseCommit";
export { runHeartbeatDetector, sweepTimeouts, detectorTimeline, timeoutTradeoffSpec } from "./timeoutDetector";
export { runPingDetector, pingDetectorTimeline, SLOW_BOUNDED_LINK } from "./eventuallyPerfect";
export { runSequence, faultGallery, FAULT_SCENARIOS, type FaultScenario } from "./faultGallery";
export {
  runCoordinationCost,
  coordinationCostSweep,
  coordinationCostSpec,
  throughputOverTime,
  throughputOverTimeSpec,
  partitionPhases,
  UPDATE_MODE_LABELS,
  type UpdateMode,
} from "./coordinationCost";
export { outcomeCountRows, outcomeCountsSpec, distinctOutcomesByEot, distinctOutcomesByEotSpec } from "./outcomeCounts";
export { edgeLabel, supportEdges, singleLossImpact, singleLossSpec, minimalCuts, supportChart } from "./lineageSupport";
export { executionsToFirstBug, raceSummary, executionsToFirstBugSpec, type RaceCase } from "./injectionRace";
export { faultCombinations, faultSpaceSweep, faultSpaceSpec } from "./faultSpace";
export {
  handlerTwinVariant,
  handlerTwinSource,
  handlerCheck,
  protocolCheck,
  handlerSummary,
  handlerRunSpacetime,
  handlerSupportRows,
  twinRows,
} from "./handlerLesson";
