import * as fs from "node:fs";
import * as path from "node:path";
import { faults, ldfiCheck, lostPost, replayFaults } from "../ldfi/lessonSearch";
import { PROTOCOLS_DIR, protocolProgram } from "../protocols/corpus";
import { loadStudentProgram, type StudentProgramSpec } from "./studentProgram";
import { formatFaults, withinBounds, type FaultSet } from "../ldfi/faults";
import type { Program } from "../dedalus/ast";
import type { SearchResult } from "../ldfi/result";
import type { Lab, StudentScope } from "./labContract";

/**
 * Lab 3's protocol: a primary-backup write whose every send is retried, yet which acknowledges the
 * client too early. The files (in `protocols/lessons/`) are the buggy rules, the setup facts and
 * the durability invariant; `maze ldfi` takes them in that order.
 */
export const LAB3_FILES = {
  buggy: "lessons/lab3_write_buggy.ded",
  setup: "lessons/lab3_write_setup.ded",
  invariant: "lessons/lab3_write_assert.ded",
} as const;

/**
 * The bounds of the hunt and of the fix's certification. EFF 5 (not smaller) so that a half fix —
 * acknowledging once *one* backup has the value — is still broken: it takes three losses to the
 * other backup and then the primary's crash, which needs omissions up to time 4.
 */
export const LAB3_BOUNDS = { eot: 6, eff: 5, crashes: 1 } as const;

/** The nodes of every lab 3 run. */
export const LAB3_NODES = ["cl", "p", "b1", "b2"] as const;

/** The frame around the student's fixed protocol: the same setup and invariant as the buggy one. */
export const LAB3_PROGRAM: StudentProgramSpec = {
  file: "fix.ded",
  fixedFiles: [LAB3_FILES.setup, LAB3_FILES.invariant],
  fixedRelations: ["pre", "post", "write", "backup", "node", "crash"],
};

/** Caps on the certification search: the reference fix certifies in 33 executions (0.2 s); a fix that replicates differently may need many more. */
const LAB3_MAX_RUNS = 4000;
const LAB3_TIMEOUT_MS = 15_000;

/** Certification results by the student's source: the try-it cell, the self-check and the grader ask the same question. */
const fixSearches = new Map<string, SearchResult>();

/** LDFI on a fixed protocol at the lab's bounds, memoised per source text. */
export function lab3FixSearch(program: Program, source: string): SearchResult {
  let r = fixSearches.get(source);
  if (!r) {
    r = ldfiCheck(program, { ...LAB3_BOUNDS, nodes: LAB3_NODES, maxRuns: LAB3_MAX_RUNS, timeoutMs: LAB3_TIMEOUT_MS });
    fixSearches.set(source, r);
  }
  return r;
}

/** The buggy protocol's text, for the notebook to show and the student to copy. */
export function lab3BuggySource(): string {
  return fs.readFileSync(path.join(PROTOCOLS_DIR, LAB3_FILES.buggy), "utf8");
}

/** The given buggy protocol as one program (rules, setup, invariant). */
export function lab3BuggyProgram(): ReturnType<typeof protocolProgram> {
  return protocolProgram(LAB3_FILES.buggy, LAB3_FILES.setup, LAB3_FILES.invariant);
}

/** What a student records: the fault set LDFI reported. */
export interface RecordedFaults {
  readonly omissions?: readonly { from: string; to: string; time: number }[];
  readonly crashes?: readonly { node: string; time: number }[];
}

function recorded(scope: StudentScope): FaultSet | string {
  const v = scope["counterexample"];
  if (v === undefined || v === null)
    return '`counterexample` is not recorded yet: set it to the fault set LDFI found, e.g. { omissions: [{ from: "p", to: "b1", time: 1 }], crashes: [] }';
  if (typeof v !== "object") return `\`counterexample\` must be an object { omissions, crashes }, got ${typeof v}`;
  const r = v as RecordedFaults;
  const okList = (xs: unknown, keys: string[]): boolean =>
    xs === undefined ||
    (Array.isArray(xs) && xs.every((x) => x !== null && typeof x === "object" && keys.every((k) => k in (x as object))));
  if (!okList(r.omissions, ["from", "to", "time"]) || !okList(r.crashes, ["node", "time"]))
    return "`counterexample` must look like { omissions: [{ from, to, time }], crashes: [{ node, time }] }";
  return faults(r.omissions ?? [], r.crashes ?? []);
}

/** The relation names of rules, as a multiset key: to tell an edited protocol from the given one. */
function ruleTexts(rules: readonly { text: string }[]): string {
  return rules
    .map((r) => r.text)
    .sort()
    .join("\n");
}

function loadFix(scope: StudentScope): ReturnType<typeof loadStudentProgram> {
  if (!("fixedProtocol" in scope))
    return {
      ok: false,
      problems: "`fixedProtocol` is not defined in the notebook: define `const fixedProtocol = `...`;` with your corrected rules",
    };
  const p = loadStudentProgram(scope["fixedProtocol"], LAB3_PROGRAM);
  if (!p.ok) return p;
  const given = lab3BuggyProgram().rules.filter((r) => r.span.file.endsWith(LAB3_FILES.buggy));
  if (ruleTexts(p.rules) === ruleTexts(given))
    return { ok: false, problems: "`fixedProtocol` has the same rules as the buggy protocol: change the rules that cause the bug" };
  return p;
}

/** Whether the client is told its write is done, and every backup stores it, in the failure-free run. */
function failureFreeProblems(scope: StudentScope): string | undefined {
  const p = loadFix(scope);
  if (!p.ok) return p.problems;
  const run = replayFaults(p.program, LAB3_BOUNDS.eot, faults(), LAB3_NODES);
  const done = run.facts("done", run.eot).some((f) => f.args[0] === "cl" && f.args[1] === "v1");
  const stored = ["b1", "b2"].filter((b) => !run.has("stored", [b, "v1"], run.eot));
  if (!done)
    return `without faults, the client never gets done("cl", "v1") by EOT ${LAB3_BOUNDS.eot}: a protocol that never acknowledges is vacuously durable`;
  if (stored.length > 0) return `without faults, ${stored.join(" and ")} never store "v1"`;
  return undefined;
}

/** Lab 3: find the bug in a given protocol with LDFI, record the counterexample, then fix the protocol. */
export const lab3BugHunt: Lab = {
  id: "lab3-bughunt",
  title: "Lab 3 — LDFI bug hunt",
  definitions: [
    { name: "counterexample", kind: "data" },
    { name: "fixedProtocol", kind: "text" },
  ],
  tests: [
    {
      name: "the recorded counterexample breaks the given protocol",
      points: 30,
      description: `your \`counterexample\` is within the bounds (EOT ${LAB3_BOUNDS.eot}, EFF ${LAB3_BOUNDS.eff}, ${LAB3_BOUNDS.crashes} crash) and, replayed on the given protocol, ends with the client told done("cl", "v1") while a backup does not store "v1" (the invariant's pre without its post)`,
      check: (scope) => {
        const f = recorded(scope);
        if (typeof f === "string") return f;
        if (!withinBounds(f, { ...LAB3_BOUNDS, nodes: LAB3_NODES }))
          return `${formatFaults(f)} is outside the bounds: omissions only between different nodes of ${LAB3_NODES.join(", ")} at times 1..${LAB3_BOUNDS.eff - 1}, at most ${LAB3_BOUNDS.crashes} crash`;
        const lost = lostPost(lab3BuggyProgram(), LAB3_BOUNDS.eot, f, LAB3_NODES);
        return lost.length > 0 ? undefined : `replaying ${formatFaults(f)} loses nothing: every backup still stores the acknowledged write`;
      },
    },
    {
      name: "the fix is valid Dedalus with local rules and keeps the lab's relations",
      points: 10,
      description:
        "`fixedProtocol` is a string that parses and checks with the setup and invariant, derives none of pre, post, write, backup, node and crash, has rules different from the given protocol's, and keeps every rule local: only @async rules move data between nodes",
      check: (scope) => {
        const p = loadFix(scope);
        return p.ok ? undefined : p.problems;
      },
    },
    {
      name: "the fix still acknowledges the write in the failure-free run",
      points: 20,
      description: `without faults, the client gets done("cl", "v1") and both backups store "v1" by EOT ${LAB3_BOUNDS.eot}`,
      check: failureFreeProblems,
    },
    {
      name: `the fix is certified by LDFI (EOT ${LAB3_BOUNDS.eot}, EFF ${LAB3_BOUNDS.eff}, ${LAB3_BOUNDS.crashes} crash)`,
      points: 40,
      description: `needs the failure-free test to pass; then maze's LDFI search (capped at ${LAB3_MAX_RUNS} executions and ${LAB3_TIMEOUT_MS / 1000} s — a search cut short scores 0) finds no fault set within the bounds after which the client has done("cl", "v1") while a backup never stores "v1"`,
      check: (scope) => {
        const ff = failureFreeProblems(scope);
        if (ff !== undefined) return ff;
        const p = loadFix(scope);
        if (!p.ok) return p.problems;
        const r = lab3FixSearch(p.program, scope["fixedProtocol"] as string);
        if (r.verdict === "certified") return undefined;
        if (r.verdict === "inconclusive") return `LDFI stopped at its ${r.limit} limit after ${r.executions} executions without a verdict`;
        const ce = r.counterexample!;
        return `LDFI still finds a counterexample after ${r.executions} executions: ${formatFaults(ce.faults)} loses ${ce.missing.join(", ")}`;
      },
    },
  ],
};
