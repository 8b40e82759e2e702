import type { Literal, SatSolver } from "./sat";

/**
 * "At most k of these literals are true", as a sequential counter (Sinz 2005), built lazily one
 * column per count so the same counter serves every level of a smallest-first enumeration.
 *
 * Register s[i][j] ("at least j of x_0..x_i are true") is only ever forced upwards:
 *
 *     x_i                 → s[i][1]
 *     s[i-1][j]           → s[i][j]
 *     x_i and s[i-1][j-1] → s[i][j]
 *
 * so any model with more than k true inputs makes s[n-1][k+1] true, and assuming its negation
 * bounds the count. Logic-solver's own `Logic.sum` comparator was erratic on unsatisfiable levels
 * (DESIGN.md section 10), which is the whole workload of an enumeration's last level.
 */
export class SequentialCounter {
  /** columns[j-1][i] = s[i][j] */
  private readonly columns: number[][] = [];

  constructor(
    private readonly solver: SatSolver,
    private readonly inputs: readonly Literal[],
  ) {}

  /**
   * The literal to assume for "at most k inputs are true", or null when the bound cannot bind
   * (k at least the number of inputs).
   */
  atMost(k: number): Literal | null {
    if (k < 0) throw new RangeError(`atMost: negative bound ${k}`);
    if (k >= this.inputs.length) return null;
    while (this.columns.length < k + 1) this.addColumn();
    const last = this.columns[k] as number[];
    return -(last[last.length - 1] as number);
  }

  private addColumn(): void {
    const j = this.columns.length + 1;
    const prev = this.columns[j - 2];
    const col: number[] = [];
    for (let i = 0; i < this.inputs.length; i++) {
      const s = this.solver.newVar();
      const x = this.inputs[i] as Literal;
      if (j === 1) this.solver.addClause([-x, s]);
      if (i > 0) {
        this.solver.addClause([-(col[i - 1] as number), s]);
        if (prev) this.solver.addClause([-x, -(prev[i - 1] as number), s]);
      }
      col.push(s);
    }
    this.columns.push(col);
  }
}
