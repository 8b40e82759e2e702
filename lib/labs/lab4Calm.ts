import type { Program } from "../dedalus/ast";
import { analyzeCalm, type CoordinationPoint } from "../dedalus/calm";
import { formatLocation } from "../dedalus/diagnostics";
import { formatTuple } from "../dedalus/factText";
import { loadChecked, reportDiagnostics } from "../dedalus/load";
import { outcomeSpread } from "../dedalus/outcomes";
import { runProgram } from "../dedalus/runtime";
import { closeUnderReaders } from "../dedalus/ruleGraph";
import { MissingDefinitionError, type Lab, type StudentScope } from "./labContract";

/**
 * The program lab 4 hands out: a shop sends the lines of its orders to a warehouse, which marks big
 * orders as priority, back-orders what it lacks and ships complete orders. It reasons
 * non-monotonically (a count, a `notin`) over order lines that arrive by message, so what it ships
 * depends on the delivery order. The student must make it coordination-free where the question
 * allows and seal it where it does not.
 */
export const LAB4_GIVEN_PROGRAM = `// A shop sends the lines of its orders to warehouse w.
// The warehouse marks orders of two or more lines as priority,
// back-orders every line it has no stock for, and ships an
// order when none of its lines is back-ordered.
warehouse("shop", "w")@1;
warehouse(S, W)@next :- warehouse(S, W);
stock("w", "bolt")@1;
stock("w", "nut")@1;
stock(W, I)@next :- stock(W, I);
line("shop", "o1", "bolt")@1;
line("shop", "o1", "nut")@1;
line("shop", "o1", "gear")@1;
line("shop", "o2", "bolt")@1;

want(W, O, I)@async :- line(S, O, I), warehouse(S, W);
want(W, O, I)@next :- want(W, O, I);

size(W, O, count<I>) :- want(W, O, I);
priority(W, O) :- size(W, O, N), N >= 2;
priority(W, O)@next :- priority(W, O);

backorder(W, O, I) :- want(W, O, I), notin stock(W, I);

blocked(W, O) :- backorder(W, O, _);
ship(W, O) :- want(W, O, _), notin blocked(W, O);
ship(W, O)@next :- ship(W, O);
`;

/**
 * A relation whose name starts with this is a seal: it holds only once some input is known to be
 * complete. The CALM check accepts a non-monotone rule over network data that reads a seal, or that
 * only helps to compute one; whether the seal is honest is what the schedule test finds out.
 */
export const SEAL_PREFIX = "sealed";

/** The relations that make up the answer, observed at EOT. */
const ANSWER_RELATIONS = ["ship", "backorder", "priority"] as const;
/** The answer of the failure-free run: o1 lacks a gear (back-ordered, not shipped), o2 ships, o1 is big. */
const EXPECTED_ANSWER = ['backorder("w", "o1", "gear")', 'priority("w", "o1")', 'ship("w", "o2")'];
const NODES = ["shop", "w"];
/** Every message is sent by time 2 or so and delayed at most MAX_DELAY: EOT 12 leaves room for a seal's round trip. */
const EOT = 12;
const MAX_DELAY = 3;
/** Schedules per behaviour test: the given program's race shows up in about one schedule in five. */
const SCHEDULES = 100;
const SEED = 4;
const PROGRAM_FILE = "program.ded";
const HINT = "define `const program = `...`;` (your Dedalus program as a string) in the student cell";

/** The relations only used to compute seals: named `sealed…`, or read only by rules deriving such relations. */
function sealHelpers(program: Program): Set<string> {
  return closeUnderReaders(
    program,
    program.rules.filter((r) => r.head.rel.startsWith(SEAL_PREFIX)).map((r) => r.head.rel),
  );
}

/**
 * The coordination points of the CALM analysis that no seal justifies: those whose rule neither
 * reads a `sealed…` relation positively nor only helps to compute one.
 */
export function unsealedPoints(program: Program): CoordinationPoint[] {
  const helpers = sealHelpers(program);
  return analyzeCalm(program).points.filter((p) => {
    const readsSeal = p.rule.body.some((b) => b.kind === "atom" && !b.negated && b.rel.startsWith(SEAL_PREFIX));
    return !readsSeal && !helpers.has(p.rule.head.rel);
  });
}

/** The student's program, parsed and checked; a string describing the first errors when invalid. */
function studentProgram(scope: StudentScope): Program | string {
  const text = scope["program"];
  if (text === undefined || text === null) throw new MissingDefinitionError("program", HINT);
  if (typeof text !== "string") return `\`program\` must be a string holding a Dedalus program, got ${typeof text}`;
  const checked = loadChecked([{ file: PROGRAM_FILE, text }]);
  if (checked.errors.length > 0)
    return `your program is not valid Dedalus:\n${reportDiagnostics(checked.errors.slice(0, 3), checked.program)}`;
  return checked.program;
}

/** The answer relations at EOT in the failure-free (every delay 1) run, as sorted `rel(args)` strings. */
function failureFreeAnswer(program: Program): string[] {
  const run = runProgram(program, { eot: EOT, nodes: NODES });
  return ANSWER_RELATIONS.flatMap((rel) => run.facts(rel, EOT).map((f) => formatTuple(f.rel, f.args))).sort();
}

/**
 * An empty program is trivially coordination-free: the static and behaviour tests first make sure
 * the program still derives every answer relation, or they would reward deleting the problem.
 */
function stillAnswers(program: Program): string | undefined {
  const answer = failureFreeAnswer(program);
  const silent = ANSWER_RELATIONS.filter((rel) => !answer.some((f) => f.startsWith(`${rel}(`)));
  if (silent.length === 0) return undefined;
  return `in the failure-free run your program derives no ${silent.join(", ")} at all: keep computing the answer (an empty program is trivially coordination-free)`;
}

function describePoint(p: CoordinationPoint): string {
  const what = p.reason.kind === "aggregation" ? `${p.reason.aggregate.fn}<${p.reason.aggregate.variable.name}>` : `notin ${p.input}`;
  return `  ${formatLocation(p.span)}: ${what} (deriving ${p.rule.head.rel}) over message data, unsealed`;
}

/** The relation that carries the order lines from the shop to the warehouse. */
const MESSAGE_RELATION = "want";

/**
 * Moving the order lines with a deductive or `@next` rule (a head at another location needs no
 * message in Dedalus) would remove the asynchrony instead of tolerating it: `want` may only be
 * derived by `@async` rules and its own persistence.
 */
function stillAsynchronous(program: Program): string | undefined {
  const teleports = program.rules.filter(
    (r) =>
      r.head.rel === MESSAGE_RELATION &&
      r.head.time !== "async" &&
      !(r.head.time === "next" && r.body.some((b) => b.kind === "atom" && !b.negated && b.rel === MESSAGE_RELATION)),
  );
  if (teleports.length === 0) return undefined;
  return teleports
    .map(
      (r) =>
        `${formatLocation(r.span)}: ${MESSAGE_RELATION} must reach the warehouse by message (@async) or persist; this rule moves it without one, which hides the asynchrony instead of tolerating it`,
    )
    .join("\n");
}

/** The student's program when it is valid, still asynchronous and still answers; otherwise why not. */
function validProgram(scope: StudentScope): Program | string {
  const p = studentProgram(scope);
  if (typeof p === "string") return p;
  return stillAsynchronous(p) ?? stillAnswers(p) ?? p;
}

function calmFailure(program: Program): string | undefined {
  const open = unsealedPoints(program);
  if (open.length === 0) return undefined;
  return (
    `${open.length} unsealed coordination point${open.length === 1 ? "" : "s"}:\n${open.map(describePoint).join("\n")}\n` +
    `Rewrite it monotonically, or read it only once its input is sealed (a relation named ${SEAL_PREFIX}…).`
  );
}

/** Lab 4: make a non-monotone Dedalus program coordination-free where possible and sealed where not. */
export const lab4Calm: Lab = {
  id: "lab4-calm",
  title: "Lab 4 — CALM refactoring",
  definitions: [{ name: "program", kind: "text" }],
  tests: [
    {
      name: "calm: no unsealed coordination point",
      points: 30,
      description: `on a valid program that still sends the order lines by @async and derives ship, backorder and priority (every test needs that first): every non-monotone rule over data that arrives by message is gone or guarded by a ${SEAL_PREFIX}… relation (maze.analyzeCalm)`,
      check: (scope) => {
        const p = validProgram(scope);
        return typeof p === "string" ? p : calmFailure(p);
      },
    },
    {
      name: "behaviour: one outcome under 100 delivery schedules",
      points: 40,
      description: `on a valid program that still sends the order lines by @async and derives ship, backorder and priority (every test needs that first): ship, backorder and priority at EOT ${EOT} are the same under ${SCHEDULES} random delivery schedules (each message delayed 1..${MAX_DELAY} steps) as in the failure-free run`,
      check: (scope) => {
        const p = validProgram(scope);
        if (typeof p === "string") return p;
        const s = outcomeSpread(p, {
          schedules: SCHEDULES,
          seed: SEED,
          eot: EOT,
          maxDelay: MAX_DELAY,
          relations: ANSWER_RELATIONS,
          nodes: NODES,
        });
        const sync = s.synchronous.join("\n");
        const other = s.outcomes.filter((o) => o.facts.join("\n") !== sync);
        if (other.length === 0) return undefined;
        // Each deviating outcome as a diff from the failure-free run: short enough for the self-check table.
        const diff = (facts: string[]): string =>
          [
            ...facts.filter((f) => !s.synchronous.includes(f)).map((f) => `+${f}`),
            ...s.synchronous.filter((f) => !facts.includes(f)).map((f) => `-${f}`),
          ].join(" ");
        return (
          `${s.distinct} distinct outcomes. Against the failure-free run: ` +
          other
            .map(
              (o) =>
                `${o.schedules} schedule(s) give ${diff(o.facts)} (replay: maze.scheduleDelay(${SEED}, ${o.firstSchedule}, ${MAX_DELAY}))`,
            )
            .join("; ") +
          `. Failure-free: ${s.synchronous.join(", ") || "(nothing)"}`
        );
      },
    },
    {
      name: "answer: still ships, back-orders and prioritises the right orders",
      points: 30,
      description:
        "in the failure-free run at EOT: o2 ships, o1 does not and its gear is back-ordered, o1 (not o2) is a priority order — scored once the CALM check passes",
      check: (scope) => {
        const p = validProgram(scope);
        if (typeof p === "string") return p;
        if (calmFailure(p) !== undefined)
          return "refactor first: this test checks that a program passing the CALM check still computes the answer";
        const got = failureFreeAnswer(p);
        const missing = EXPECTED_ANSWER.filter((f) => !got.includes(f));
        const extra = got.filter((f) => !EXPECTED_ANSWER.includes(f));
        if (missing.length === 0 && extra.length === 0) return undefined;
        return [
          missing.length > 0 ? `missing at EOT: ${missing.join(", ")}` : "",
          extra.length > 0 ? `wrongly derived: ${extra.join(", ")}` : "",
        ]
          .filter((x) => x !== "")
          .join("; ");
      },
    },
  ],
};
