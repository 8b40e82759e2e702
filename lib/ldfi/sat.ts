import type LogicModule = require("logic-solver");

/**
 * logic-solver, loaded on first use: its asm.js MiniSat takes about half a second to compile, which
 * every `maze ldfi` and every worker thread of the pool paid at start-up although the default
 * backend (cdcl.ts) never calls it.
 */
let logicModule: typeof LogicModule | undefined;
function logic(): typeof LogicModule {
  return (logicModule ??= require("logic-solver") as typeof LogicModule);
}

/** A literal: a positive variable number, or its negation. Variables are numbered from 1. */
export type Literal = number;

/**
 * The solver interface LDFI needs: incremental clause addition and solving under assumptions.
 * Kept this small so the backend can be swapped (logic-solver today; a MiniSat child process or a
 * wasm solver would fit behind the same four members).
 */
export interface SatSolver {
  /** Allocates a fresh variable and returns its (positive) number. */
  newVar(): number;
  /** Adds a clause permanently. An empty clause makes the instance unsatisfiable. */
  addClause(lits: readonly Literal[]): void;
  /**
   * Solves with the given literals assumed true for this call only. Returns the model as a
   * predicate over variables, or null when unsatisfiable under the assumptions.
   */
  solve(assumptions: readonly Literal[]): SatModel | null;
  /** Clauses added so far, for the size limit. */
  readonly clauseCount: number;
}

/** A satisfying assignment: whether a variable is true. */
export interface SatModel {
  isTrue(variable: number): boolean;
}

/**
 * logic-solver runs MiniSat inside a fixed 64 MB asm.js heap and aborts the whole process
 * somewhere between ~480k and ~745k clauses (DESIGN.md section 10). We stop well before that and
 * report the limit instead of crashing.
 */
export const MAX_SAT_CLAUSES = 400_000;

/** Thrown when an encoding would exceed {@link MAX_SAT_CLAUSES}; the LDFI loop reports it as a limit. */
export class SatLimitError extends Error {
  /** The bound that was hit. */
  readonly limit = "sat-clauses" as const;
  constructor(readonly clauses: number) {
    super(`SAT formula too large: ${clauses} clauses exceed the limit of ${MAX_SAT_CLAUSES} (logic-solver's fixed 64 MB heap)`);
    this.name = "SatLimitError";
  }
}

/**
 * {@link SatSolver} over logic-solver. Clauses are buffered in JavaScript and handed to MiniSat in
 * one batch per solve, with logic-solver's per-argument assertions switched off (they cost more
 * than the solving on LDFI-sized formulas). Our variables are numbered densely from 1; logic-solver's
 * numbering differs (1 and 2 are its FALSE and TRUE, and it allocates its own helper variables for
 * assumptions), so a table maps ours to its.
 */
export class LogicSolverSat implements SatSolver {
  private readonly solver = new (logic().Solver)();
  private readonly pending: Literal[][] = [];
  private vars = 0;
  /** toNum[k] = logic-solver's number for our variable k. */
  private readonly toNum: number[] = [0];
  private clauses = 0;
  private unsat = false;

  newVar(): number {
    this.vars += 1;
    this.toNum.push(this.solver.getVarNum(`v${this.vars}`));
    return this.vars;
  }

  addClause(lits: readonly Literal[]): void {
    for (const l of lits) {
      const v = Math.abs(l);
      if (!Number.isInteger(l) || v < 1 || v > this.vars) throw new RangeError(`addClause: unknown literal ${l}`);
    }
    if (lits.length === 0) {
      this.unsat = true;
      return;
    }
    this.clauses += 1;
    if (this.clauses > MAX_SAT_CLAUSES) throw new SatLimitError(this.clauses);
    this.pending.push(lits.map((l) => this.term(l)));
  }

  get clauseCount(): number {
    return this.clauses;
  }

  solve(assumptions: readonly Literal[]): SatModel | null {
    if (this.unsat) return null;
    const Logic = logic();
    const solution = Logic.disablingAssertions(() => {
      for (const c of this.pending) this.solver.require(Logic.or(c));
      this.pending.length = 0;
      const assumed = assumptions.map((l) => this.term(l));
      return assumed.length === 0 ? this.solver.solve() : this.solver.solveAssuming(Logic.and(assumed));
    });
    if (solution === null) return null;
    return { isTrue: (v: number) => solution.evaluate(this.term(v)) };
  }

  private term(l: Literal): number {
    const n = this.toNum[Math.abs(l)];
    if (n === undefined || l === 0) throw new RangeError(`unknown literal ${l}`);
    return l > 0 ? n : -n;
  }
}
