/**
 * The slice of logic-solver 2.0.1 (MiniSat compiled to asm.js, CommonJS, no bundled types) that
 * lib/ldfi/sat.ts uses. Only numeric terms are used: a positive number is a variable, a negative
 * one its negation; variables 1 and 2 are logic-solver's own FALSE and TRUE.
 */
declare module "logic-solver" {
  namespace Logic {
    /** A formula node; opaque to maze. */
    interface Formula {
      readonly type?: string;
    }
    type Term = number | string;
    /** An incremental MiniSat instance with its own fixed 64 MB heap. */
    class Solver {
      constructor();
      getVarNum(name: string, noCreate?: boolean): number;
      require(...formulas: (Formula | Term | (Formula | Term)[])[]): void;
      forbid(...formulas: (Formula | Term | (Formula | Term)[])[]): void;
      solve(): Solution | null;
      solveAssuming(formula: Formula | Term): Solution | null;
      /** Clauses generated so far (internal field, read for size accounting only). */
      readonly clauses: unknown[];
    }
    /** A satisfying assignment. */
    class Solution {
      evaluate(term: Formula | Term): boolean;
      getTrueVars(): string[];
    }
    function or(...operands: (Formula | Term | (Formula | Term)[])[]): Formula;
    function and(...operands: (Formula | Term | (Formula | Term)[])[]): Formula;
    function not(operand: Formula | Term): Formula;
    /** Runs `fn` with logic-solver's argument assertions off (they dominate the cost of big encodings). */
    function disablingAssertions<T>(fn: () => T): T;
    const TRUE: string;
    const FALSE: string;
  }
  export = Logic;
}
