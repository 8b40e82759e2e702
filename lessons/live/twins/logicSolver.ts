/**
 * The browser twin of logic-solver (MiniSat compiled to asm.js, a quarter of the library's bundle):
 * LDFI's default SAT backend is maze's own CDCL solver, so the browser build leaves MiniSat out and
 * `new LogicSolverSat()` (from "maze/internals") explains why instead of solving.
 */
function unavailable(): never {
  throw new Error("logic-solver is not part of the browser build: LDFI's default solver (maze.CdclSat) is; run LogicSolverSat in Node");
}

/** Stands in for logic-solver's `Solver`: constructing one throws. */
export class Solver {
  constructor() {
    unavailable();
  }
}

export const or = unavailable;
export const not = unavailable;
export const disablingAssertions = unavailable;
export const and = unavailable;
