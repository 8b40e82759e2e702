import * as path from "node:path";
import { formatReport, gradeNotebook, type GradeReport } from "../../kernel/grading/gradeNotebook";
import { PROJECT_ROOT } from "../../kernel/jupyterPaths";
import { scratchDir, studentVariant } from "./fixtures";
import {
  leqIgnoringTombstones,
  mutatingCounter,
  removeWinsSet,
  summingJoin,
  typeErrorInCounter,
  type StudentCellEdit,
} from "./grading-lab1-crdt-mistakes";

/**
 * The usual lab-1 mistakes, graded through the real grader: each loses exactly the points of the
 * checks it breaks, and the feedback names the law, the history in words, and expected against got.
 */
const dir = scratchDir("grading-lab1-feedback");
const solution = path.join(PROJECT_ROOT, "notebooks", "instructor", "lab1-crdt.ipynb");
// A fixed grading secret: the same submission then draws the same histories on every run. The
// assertions still accept any minimal counterexample where several are equally small.
const grade = (name: string, edit: StudentCellEdit): Promise<GradeReport> =>
  gradeNotebook(studentVariant(solution, dir, `${name}.ipynb`, edit), { secret: "lab1-feedback-test" });
const output = (r: GradeReport, name: string): string => r.tests.find((t) => t.name === name)?.output ?? `no test ${name}`;
const lost = (r: GradeReport): string[] => r.tests.filter((t) => t.score < t.max_score).map((t) => t.name);

test("a join that sums instead of taking the maximum: the idempotence law, with the history and both values", async () => {
  const r = await grade("summing-join", summingJoin);
  expect(r.score).toBe(65);
  expect(lost(r)).toEqual([
    "pn-counter: join is commutative, associative and idempotent",
    "pn-counter: leq agrees with join",
    "pn-counter: counts every increment and decrement exactly once",
    "pn-counter: replicas converge on a lossy, duplicating, partitioned network",
  ]);
  expect(output(r, "pn-counter: join is commutative, associative and idempotent")).toContain(
    [
      "law: join is idempotent — join(a, a) must show what a shows (merging a state you already have changes nothing)",
      "history: a: inc",
      '  a = {"n":{},"p":{"a":1}}  (shows 1)',
      "expected join(a, a) to show 1, got 2",
    ].join("\n"),
  );
  expect(output(r, "pn-counter: counts every increment and decrement exactly once")).toMatch(
    /history: [abc]: inc; [abc] merges [abc]\n[\s\S]*expected (replica [abc] to show 1 \(the increments minus the decrements it has seen\)|the merge of all replicas to show 1 \(every increment minus every decrement\)), got 2/,
  );
}, 120_000);

test("increment and decrement that change their input: the purity check names the function, and the leq failure blames it", async () => {
  const r = await grade("mutating-counter", mutatingCounter);
  expect(r.score).toBe(90);
  expect(lost(r)).toEqual(["pn-counter: leq agrees with join", "pn-counter: every function leaves the states it is given unchanged"]);
  expect(output(r, "pn-counter: every function leaves the states it is given unchanged")).toContain(
    [
      "property: pure functions — pnCounter.increment changed the state it was given",
      "history: (nothing happened: every replica is still bottom); a: inc",
      '  before the call: {"n":{},"p":{}}',
      '  after the call:  {"n":{},"p":{"a":1}}',
    ].join("\n"),
  );
  const leq = output(r, "pn-counter: leq agrees with join");
  expect(leq).toContain("expected leq(after, before) to be false, got true");
  expect(leq).toMatch(
    /note: pnCounter\.increment changed the state it was given \(before \{"n":\{\},"p":\{\}\}, after \{"n":\{\},"p":\{"a":1\}\}\)/,
  );
}, 120_000);

test("an OR-Set leq that ignores tombstones no longer scores full marks: a remove must move the state strictly up", async () => {
  const r = await grade("leq-ignoring-tombstones", leqIgnoringTombstones);
  expect(r.score).toBe(95);
  expect(lost(r)).toEqual(["or-set: leq agrees with join"]);
  expect(output(r, "or-set: leq agrees with join")).toContain(
    [
      "law: leq agrees with join — an update moves the state strictly up, so the old state is not above the new one",
      "history: (nothing happened: every replica is still bottom); then a: add x; a: remove x",
      '  before = {"adds":{"x":["a:1"]},"clock":{"a":1},"removed":[]}  (shows ["x"])',
      '  after = {"adds":{"x":["a:1"]},"clock":{"a":1},"removed":["a:1"]}  (shows [])',
      "expected leq(after, before) to be false, got true — does leq compare the removed dots (the tombstones) too?",
    ].join("\n"),
  );
}, 120_000);

test("a remove-wins set loses the add-wins, semantics and convergence points, each with the history that shows it", async () => {
  const r = await grade("remove-wins", removeWinsSet);
  expect(r.score).toBe(55);
  expect(lost(r)).toEqual([
    "or-set: leq agrees with join",
    "or-set: a concurrent add wins over a remove",
    "or-set: matches the observed-remove semantics on random histories",
    "or-set: replicas converge on a lossy, duplicating, partitioned network",
  ]);
  expect(output(r, "or-set: a concurrent add wins over a remove")).toMatch(
    /property: add wins — an add the remover had not seen survives the remove\nhistory: a: add x; b merges a; b: remove x; a: add x \(concurrently with b's remove\); a merges b\n {2}a = .*\(shows \["x"\]\)\n {2}b = .*\(shows \[\]\)\nexpected join\(a, b\) to contain "x" \(a's second add was not observed by b's remove\), got \[\]/,
  );
  expect(output(r, "or-set: matches the observed-remove semantics on random histories")).toMatch(
    /history: ([abc]: (remove|add) [xyz]; ){2}[abc] merges [abc]\n[\s\S]*expected replica [abc] to show \["[xyz]"\] \(maze's reference OR-Set on the same history\), got \[\]/,
  );
  expect(output(r, "or-set: replicas converge on a lossy, duplicating, partitioned network")).toMatch(
    /expected every replica to show \["bread","eggs","jam","milk"\], got \["bread","jam","milk"\]/,
  );
}, 120_000);

test("a type error in the counter cell is shown first, before the tests that failed because of it", async () => {
  const r = await grade("type-error", typeErrorInCounter);
  expect(r.score).toBe(60);
  const cause = "type-error.ipynb:cell 4:line 19: Type 'string' is not assignable to type 'number'.";
  expect(r.output).toBe(cause);
  for (const t of r.tests.filter((x) => x.name.startsWith("pn-counter"))) {
    expect(t.score).toBe(0);
    expect(t.output.split("\n")[1]).toBe(`first fix ${cause} — this test failed because that cell did not run:`);
  }
  const report = formatReport(r);
  expect(report.indexOf(cause)).toBeGreaterThan(0);
  expect(report.indexOf(cause)).toBeLessThan(report.indexOf("pn-counter: join is commutative"));
}, 120_000);
