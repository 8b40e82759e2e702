import { ldfiCheck, replayFaults, faults } from "../ldfi/lessonSearch";
import { loadStudentProgram, type StudentProgramSpec } from "./studentProgram";
import { formatFaults } from "../ldfi/faults";
import type { Program } from "../dedalus/ast";
import type { SearchResult } from "../ldfi/result";
import type { Lab, LabTest, StudentScope } from "./labContract";

/**
 * Lab 2's frame around the student's program: the corpus's delivery setup (nodes a, b, c that all
 * link to each other; `origin("a", "hello")@1`) and its agreement invariant (if a node other than
 * the originator delivered P and did not crash, every node delivered P).
 */
export const LAB2_PROGRAM: StudentProgramSpec = {
  file: "broadcast.ded",
  fixedFiles: ["delivery_setup.ded", "delivery_assert.ded"],
  fixedRelations: ["pre", "post", "lacks", "link", "origin", "crash"],
};

/** The nodes of every lab 2 run. */
export const LAB2_NODES = ["a", "b", "c"] as const;

/**
 * The bounds of the two certification tests: message loss alone, then loss with a crash. Small on
 * purpose (a correct ack-based relay broadcast certifies in about a second at each), and chosen
 * so that the classic relay-once broadcast fails the first and retrying from the originator alone
 * fails the second.
 */
export const LAB2_BOUNDS = {
  loss: { eot: 4, eff: 3, crashes: 0 },
  crash: { eot: 4, eff: 2, crashes: 1 },
} as const;

/** Every search a lab test starts is capped, so a student program with a huge fault space ends inconclusive, not hung. */
const LAB2_MAX_RUNS = 1500;
const LAB2_TIMEOUT_MS = 8000;

/** Certification results by bounds and source: the try-it cell, the self-check and the grader ask the same questions. */
const searches = new Map<string, SearchResult>();

/** LDFI on a student's broadcast at one of the lab's bounds, memoised per source text. */
export function lab2Search(program: Program, source: string, which: keyof typeof LAB2_BOUNDS): SearchResult {
  const key = `${which}\u0000${source}`;
  let r = searches.get(key);
  if (!r) {
    r = ldfiCheck(program, { ...LAB2_BOUNDS[which], nodes: LAB2_NODES, maxRuns: LAB2_MAX_RUNS, timeoutMs: LAB2_TIMEOUT_MS });
    searches.set(key, r);
  }
  return r;
}

/** The name of the student's definition. */
const NAME = "broadcast";
const HINT = "define `const broadcast = `...`;` holding your Dedalus rules";

function load(scope: StudentScope): ReturnType<typeof loadStudentProgram> {
  if (!(NAME in scope)) return { ok: false, problems: `\`${NAME}\` is not defined in the notebook: ${HINT}` };
  return loadStudentProgram(scope[NAME], LAB2_PROGRAM);
}

/** Who has `delivered(N, "hello")` at EOT in the failure-free run (null with the problems when the program is invalid). */
function failureFreeDelivery(scope: StudentScope): { ok: true; missing: string[] } | { ok: false; problems: string } {
  const p = load(scope);
  if (!p.ok) return p;
  const run = replayFaults(p.program, LAB2_BOUNDS.loss.eot, faults(), LAB2_NODES);
  const have = new Set(
    run
      .facts("delivered", run.eot)
      .filter((f) => f.args[1] === "hello")
      .map((f) => String(f.args[0])),
  );
  return { ok: true, missing: LAB2_NODES.filter((n) => !have.has(n)) };
}

function certification(which: keyof typeof LAB2_BOUNDS, what: string): LabTest {
  const bounds = LAB2_BOUNDS[which];
  return {
    name: `certified by LDFI under ${what} (EOT ${bounds.eot}, EFF ${bounds.eff}, ${bounds.crashes} crash${bounds.crashes === 1 ? "" : "es"})`,
    points: 35,
    description: `needs delivery in the failure-free run; then maze's LDFI search (capped at ${LAB2_MAX_RUNS} executions and ${LAB2_TIMEOUT_MS / 1000} s — a search cut short scores 0) finds no fault set within these bounds that breaks agreement (a node other than a delivered "hello" and did not crash, yet another node never delivers it)`,
    check: (scope) => {
      const ff = failureFreeDelivery(scope);
      if (!ff.ok) return ff.problems;
      if (ff.missing.length > 0)
        return `the failure-free run does not deliver to ${ff.missing.join(", ")}; a program that delivers nothing is vacuously fault tolerant, so this test first needs delivery`;
      const p = load(scope);
      if (!p.ok) return p.problems;
      const r = lab2Search(p.program, scope[NAME] as string, which);
      if (r.verdict === "certified") return undefined;
      if (r.verdict === "inconclusive")
        return `LDFI stopped at its ${r.limit} limit after ${r.executions} executions without a verdict; make the protocol smaller (fewer messages per step)`;
      const ce = r.counterexample!;
      return (
        `LDFI found a counterexample after ${r.executions} executions: ${formatFaults(ce.faults)} loses ${ce.missing.join(", ")} ` +
        `(replay it: maze.lostPost(program, ${bounds.eot}, maze.faults(...)) or maze.faultRunSpacetime)`
      );
    },
  };
}

/** Lab 2: write a reliable broadcast in Dedalus that LDFI certifies under message loss and a crash. */
export const lab2Broadcast: Lab = {
  id: "lab2-broadcast",
  title: "Lab 2 — a reliable broadcast that LDFI certifies",
  definitions: [{ name: "broadcast", kind: "text" }],
  tests: [
    {
      name: "valid Dedalus, local rules, the lab's relations untouched",
      points: 10,
      description:
        "`broadcast` is a string that parses and checks together with delivery_setup.ded and delivery_assert.ded, derives none of pre, post, lacks, link, origin and crash, and keeps every rule local: only @async rules move data between nodes",
      check: (scope) => {
        const p = load(scope);
        return p.ok ? undefined : p.problems;
      },
    },
    {
      name: "delivers to every node in the failure-free run",
      points: 20,
      description: `without faults, delivered(N, "hello") holds at a, b and c at EOT ${LAB2_BOUNDS.loss.eot}`,
      check: (scope) => {
        const ff = failureFreeDelivery(scope);
        if (!ff.ok) return ff.problems;
        return ff.missing.length === 0
          ? undefined
          : `at EOT ${LAB2_BOUNDS.loss.eot} these nodes have not delivered "hello": ${ff.missing.join(", ")}`;
      },
    },
    certification("loss", "message loss"),
    certification("crash", "message loss and a crash"),
  ],
};
