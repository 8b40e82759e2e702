import fc from "fast-check";
import { SequentialCounter } from "../../lib/ldfi/cardinality";
import { CdclSat } from "../../lib/ldfi/cdcl";
import { LogicSolverSat, MAX_SAT_CLAUSES, SatLimitError, type SatSolver } from "../../lib/ldfi/sat";

const backends: [string, () => SatSolver][] = [
  ["cdcl", () => new CdclSat()],
  ["logic-solver", () => new LogicSolverSat()],
];

/** Brute-force satisfiability of a CNF over vars 1..n under assumptions. */
function bruteSat(n: number, cnf: number[][], assumptions: number[]): boolean {
  for (let m = 0; m < 1 << n; m++) {
    const val = (l: number): boolean => (((m >> (Math.abs(l) - 1)) & 1) === 1) === l > 0;
    if (assumptions.every(val) && cnf.every((c) => c.some(val))) return true;
  }
  return false;
}

const cnfArb = fc.integer({ min: 1, max: 9 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    cnf: fc.array(
      fc.array(
        fc.integer({ min: 1, max: n }).chain((v) => fc.constantFrom(v, -v)),
        { minLength: 1, maxLength: 4 },
      ),
      { maxLength: 40 },
    ),
    assumptions: fc.array(
      fc.integer({ min: 1, max: n }).chain((v) => fc.constantFrom(v, -v)),
      { maxLength: 3 },
    ),
  }),
);

describe.each(backends)("%s", (_name, make) => {
  it("agrees with brute force on random CNFs, models included, across repeated solves", () => {
    fc.assert(
      fc.property(cnfArb, ({ n, cnf, assumptions }) => {
        const s = make();
        for (let i = 0; i < n; i++) s.newVar();
        for (const c of cnf) s.addClause(c);
        for (const a of [assumptions, [], assumptions.map((l) => -l)]) {
          const model = s.solve(a);
          expect(model !== null).toBe(bruteSat(n, cnf, a));
          if (model) {
            const val = (l: number): boolean => model.isTrue(Math.abs(l)) === l > 0;
            for (const c of cnf) expect(c.some(val)).toBe(true);
            for (const l of a) expect(val(l)).toBe(true);
          }
        }
      }),
      { numRuns: _name === "cdcl" ? 300 : 25 },
    );
  });

  it("bounds a count with the sequential counter", () => {
    const s = make();
    const xs = Array.from({ length: 6 }, () => s.newVar());
    s.addClause(xs.slice(0, 3)); // at least one of the first three
    s.addClause(xs.slice(3)); // at least one of the last three
    const counter = new SequentialCounter(s, xs);
    expect(s.solve([counter.atMost(1) as number])).toBeNull();
    const m = s.solve([counter.atMost(2) as number]);
    expect(m).not.toBeNull();
    expect(xs.filter((x) => m!.isTrue(x))).toHaveLength(2);
    expect(counter.atMost(6)).toBeNull();
  });
});

describe("clause limit", () => {
  it("reports the limit instead of growing past logic-solver's heap", () => {
    const s = new CdclSat();
    const a = s.newVar();
    const b = s.newVar();
    expect(() => {
      for (let i = 0; i <= MAX_SAT_CLAUSES; i++) s.addClause([a, b]);
    }).toThrow(SatLimitError);
  });
});
