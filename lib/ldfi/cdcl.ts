import { MAX_SAT_CLAUSES, SatLimitError, type Literal, type SatModel, type SatSolver } from "./sat";

/**
 * A small conflict-driven clause-learning SAT solver (MiniSat's design in miniature): two watched
 * literals per clause, first-UIP learning with non-chronological backjumping, activity-ordered
 * decisions that try "false" first, and assumptions decided before anything else.
 *
 * Why a second backend: LDFI asks many tiny questions (a few hundred clauses, dozens of solves per
 * run), and logic-solver pays about 2.5 ms of fixed cost per solve and ~5-25 ms per instance for its
 * asm.js heap, which dominated the loop (measured in bench/ldfi.bench.ts). This solver answers the
 * same questions in microseconds; logic-solver stays available behind the same interface, and the
 * tests check that both enumerate the same fault sets.
 */
export class CdclSat implements SatSolver {
  private readonly clauses: number[][] = [];
  /** watches[code(lit)] = clauses whose watched literal is lit (code: 2v for v, 2v+1 for -v). */
  private readonly watches: number[][] = [[], []];
  private readonly value: number[] = [0]; // per variable: 1 true, -1 false, 0 unassigned
  private readonly level: number[] = [0];
  private readonly reason: number[] = [-1];
  private readonly activity: number[] = [0];
  private readonly trail: number[] = [];
  private readonly trailLim: number[] = [];
  private qhead = 0;
  private varInc = 1;
  /** Variables by decreasing activity (ties: lower number first), re-sorted only after bumps. */
  private order: number[] = [];
  private orderDirty = true;
  /** Position in `order` before which every variable is assigned (reset on backtrack). */
  private orderPos = 0;
  private unsat = false;
  private added = 0;
  private vars = 0;

  newVar(): number {
    this.vars += 1;
    this.value.push(0);
    this.level.push(0);
    this.reason.push(-1);
    this.activity.push(0);
    this.watches.push([], []);
    this.orderDirty = true;
    return this.vars;
  }

  get clauseCount(): number {
    return this.added;
  }

  addClause(lits: readonly Literal[]): void {
    for (const l of lits)
      if (!Number.isInteger(l) || l === 0 || Math.abs(l) > this.vars) throw new RangeError(`addClause: unknown literal ${l}`);
    this.added += 1;
    if (this.added > MAX_SAT_CLAUSES) throw new SatLimitError(this.added);
    if (this.unsat) return;
    this.cancelUntil(0);
    // Simplify against level-0 facts: drop false literals, drop satisfied or tautological clauses.
    const c: number[] = [];
    for (const l of lits) {
      if (c.includes(-l)) return;
      if (c.includes(l)) continue;
      const v = this.litValue(l);
      if (v === 1) return;
      if (v === -1) continue;
      c.push(l);
    }
    if (c.length === 0) {
      this.unsat = true;
      return;
    }
    if (c.length === 1) {
      this.enqueue(c[0] as number, -1);
      if (this.propagate() !== -1) this.unsat = true;
      return;
    }
    this.attach(c);
  }

  solve(assumptions: readonly Literal[]): SatModel | null {
    if (this.unsat) return null;
    for (const l of assumptions)
      if (!Number.isInteger(l) || l === 0 || Math.abs(l) > this.vars) throw new RangeError(`solve: unknown literal ${l}`);
    this.cancelUntil(0);
    if (this.propagate() !== -1) {
      this.unsat = true;
      return null;
    }
    for (;;) {
      const confl = this.propagate();
      if (confl !== -1) {
        if (this.trailLim.length === 0) {
          this.unsat = true;
          return null;
        }
        const { learnt, backLevel } = this.analyze(confl);
        this.cancelUntil(backLevel);
        if (learnt.length === 1) {
          this.cancelUntil(0);
          this.enqueue(learnt[0] as number, -1);
        } else {
          const ci = this.attach(learnt);
          this.enqueue(learnt[0] as number, ci);
        }
        this.varInc *= 1.05;
        if (this.varInc > 1e100) this.rescale();
        continue;
      }
      const dl = this.trailLim.length;
      if (dl < assumptions.length) {
        const p = assumptions[dl] as number;
        const v = this.litValue(p);
        if (v === -1) {
          this.cancelUntil(0);
          return null;
        }
        this.trailLim.push(this.trail.length);
        if (v === 0) this.enqueue(p, -1);
        continue;
      }
      const next = this.pickBranch();
      if (next === 0) {
        const model = this.value.map((x) => x === 1);
        this.cancelUntil(0);
        return { isTrue: (v: number) => model[v] === true };
      }
      this.trailLim.push(this.trail.length);
      this.enqueue(-next, -1);
    }
  }

  private litValue(l: number): number {
    const v = this.value[l > 0 ? l : -l] as number;
    return l > 0 ? v : -v;
  }

  private code(l: number): number {
    return l > 0 ? 2 * l : -2 * l + 1;
  }

  private attach(c: number[]): number {
    const ci = this.clauses.length;
    this.clauses.push(c);
    (this.watches[this.code(c[0] as number)] as number[]).push(ci);
    (this.watches[this.code(c[1] as number)] as number[]).push(ci);
    return ci;
  }

  private enqueue(l: number, reason: number): void {
    const v = l > 0 ? l : -l;
    this.value[v] = l > 0 ? 1 : -1;
    this.level[v] = this.trailLim.length;
    this.reason[v] = reason;
    this.trail.push(l);
  }

  private cancelUntil(lvl: number): void {
    if (this.trailLim.length <= lvl) return;
    const stop = this.trailLim[lvl] as number;
    for (let i = this.trail.length - 1; i >= stop; i--) {
      const l = this.trail[i] as number;
      const v = l > 0 ? l : -l;
      this.value[v] = 0;
      this.reason[v] = -1;
    }
    this.trail.length = stop;
    this.trailLim.length = lvl;
    this.qhead = Math.min(this.qhead, stop);
    this.orderPos = 0;
  }

  /** Unit propagation over watched literals; returns a conflicting clause or -1. */
  private propagate(): number {
    while (this.qhead < this.trail.length) {
      const p = this.trail[this.qhead++] as number;
      const falseLit = -p;
      const ws = this.watches[this.code(falseLit)] as number[];
      let i = 0;
      let j = 0;
      while (i < ws.length) {
        const ci = ws[i++] as number;
        const c = this.clauses[ci] as number[];
        if (c[0] === falseLit) {
          c[0] = c[1] as number;
          c[1] = falseLit;
        }
        if (this.litValue(c[0] as number) === 1) {
          ws[j++] = ci;
          continue;
        }
        let moved = false;
        for (let k = 2; k < c.length; k++) {
          const l = c[k] as number;
          if (this.litValue(l) !== -1) {
            c[1] = l;
            c[k] = falseLit;
            (this.watches[this.code(l)] as number[]).push(ci);
            moved = true;
            break;
          }
        }
        if (moved) continue;
        ws[j++] = ci;
        if (this.litValue(c[0] as number) === -1) {
          while (i < ws.length) ws[j++] = ws[i++] as number;
          ws.length = j;
          this.qhead = this.trail.length;
          return ci;
        }
        this.enqueue(c[0] as number, ci);
      }
      ws.length = j;
    }
    return -1;
  }

  /** First-UIP conflict analysis: the learnt clause (asserting literal first) and where to jump. */
  private analyze(confl: number): { learnt: number[]; backLevel: number } {
    const seen = new Set<number>();
    const learnt: number[] = [0];
    const current = this.trailLim.length;
    let pathC = 0;
    let p = 0;
    let idx = this.trail.length - 1;
    let c = confl;
    for (;;) {
      for (const q of this.clauses[c] as number[]) {
        const v = q > 0 ? q : -q;
        if (p !== 0 && v === (p > 0 ? p : -p)) continue;
        if (seen.has(v) || (this.level[v] as number) === 0) continue;
        seen.add(v);
        this.bump(v);
        if ((this.level[v] as number) >= current) pathC++;
        else learnt.push(q);
      }
      for (;;) {
        const l = this.trail[idx] as number;
        if (seen.has(l > 0 ? l : -l)) break;
        idx--;
      }
      p = this.trail[idx--] as number;
      pathC--;
      if (pathC === 0) break;
      c = this.reason[p > 0 ? p : -p] as number;
    }
    learnt[0] = -p;
    let backLevel = 0;
    let at = 1;
    for (let k = 1; k < learnt.length; k++) {
      const lv = this.level[Math.abs(learnt[k] as number)] as number;
      if (lv > backLevel) {
        backLevel = lv;
        at = k;
      }
    }
    if (learnt.length > 1) [learnt[1], learnt[at]] = [learnt[at] as number, learnt[1] as number];
    return { learnt, backLevel };
  }

  private bump(v: number): void {
    this.activity[v] = (this.activity[v] as number) + this.varInc;
    this.orderDirty = true;
  }

  private rescale(): void {
    for (let v = 1; v <= this.vars; v++) this.activity[v] = (this.activity[v] as number) * 1e-100;
    this.varInc *= 1e-100;
  }

  /** The unassigned variable with the highest activity (lowest number on ties), or 0 when none is left. */
  private pickBranch(): number {
    if (this.orderDirty) {
      const act = this.activity;
      this.order = Array.from({ length: this.vars }, (_, i) => i + 1).sort((a, b) => (act[b] as number) - (act[a] as number) || a - b);
      this.orderDirty = false;
      this.orderPos = 0;
    }
    while (this.orderPos < this.order.length) {
      const v = this.order[this.orderPos] as number;
      if (this.value[v] === 0) return v;
      this.orderPos++;
    }
    return 0;
  }
}
