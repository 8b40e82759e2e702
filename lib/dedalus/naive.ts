/**
 * A naive Dedalus evaluator: the test oracle for the semi-naive runtime. It is deliberately simple and
 * shares nothing with the runtime (runtime.ts, engine.ts) but the AST and the checker's strata: tuples are string-keyed, bindings
 * are Maps, and each stratum re-evaluates every rule over the whole state until nothing changes. Slow,
 * and obviously following DESIGN.md sections 5-6.
 */
import type { BodyAtom, Comparison, HeadTerm, Program, Rule, Span, Term } from "./ast";
import { checkProgram, CRASH_RELATION, negatedSingletons } from "./check";
import { DedalusError, hasErrors } from "./diagnostics";
import { DedalusRuntimeError, integerOverflow } from "./limits";
import type { Fact, MessageEvent, RunOptions, Value } from "./runtime";

type Relation = Map<string, Value[]>;
type State = Map<string, Relation>;
type Binding = Map<string, Value>;

const keyOf = (args: readonly Value[]): string => JSON.stringify(args);

function add(state: State, rel: string, args: Value[]): boolean {
  let r = state.get(rel);
  if (!r) state.set(rel, (r = new Map<string, Value[]>()));
  const k = keyOf(args);
  if (r.has(k)) return false;
  r.set(k, args);
  return true;
}

function evalTerm(t: Term | HeadTerm, b: Binding): Value {
  switch (t.kind) {
    case "const":
      return t.value;
    case "var":
      return b.get(t.name)!;
    case "binary": {
      const l = evalTerm(t.left, b) as number,
        r = evalTerm(t.right, b) as number;
      if (t.op === "/") {
        if (r === 0) throw new DedalusRuntimeError("integer division by zero", t.span);
        return Math.trunc(l / r) + 0;
      }
      const v = t.op === "+" ? l + r : t.op === "-" ? l - r : l * r + 0;
      if (!Number.isSafeInteger(v)) throw integerOverflow(`${l} ${t.op} ${r}`, t.span);
      return v;
    }
    default:
      throw new Error(`cannot evaluate ${t.kind}`);
  }
}

function compareValues(c: Comparison, b: Binding): boolean {
  const l = evalTerm(c.left, b),
    r = evalTerm(c.right, b);
  switch (c.op) {
    case "==":
      return l === r;
    case "!=":
      return l !== r;
    case "<":
      return l < r;
    case ">":
      return l > r;
    case "<=":
      return l <= r;
    case ">=":
      return l >= r;
  }
}

/** A sum that stops at the first partial sum past 2^53 - 1, as the runtime's does. */
function sumExact(values: readonly number[], span: Span): number {
  let sum = 0;
  for (const v of values) {
    if (!Number.isSafeInteger(sum + v)) throw integerOverflow(`the sum ${sum} + ${v}`, span);
    sum += v;
  }
  return sum;
}

/** Runs a program naively; returns every tuple at times 1..eot and every message. Runtime errors name their rule, as the runtime's do. */
export function runNaive(program: Program, options: RunOptions): { facts: Fact[]; messages: MessageEvent[] } {
  try {
    return runNaiveUnnamed(program, options);
  } catch (e) {
    if (e instanceof DedalusRuntimeError && e.rule === null) {
      const rule = program.rules.find((r) => r.span.file === e.span.file && r.span.start <= e.span.start && e.span.end <= r.span.end);
      throw new DedalusRuntimeError(e.reason, e.span, rule ? rule.text : null);
    }
    throw e;
  }
}

function runNaiveUnnamed(program: Program, options: RunOptions): { facts: Fact[]; messages: MessageEvent[] } {
  const { diagnostics, info } = checkProgram(program);
  if (hasErrors(diagnostics)) throw new DedalusError(diagnostics, program.sources);
  const eot = options.eot;
  const nodes = new Set(options.nodes ?? program.facts.map((f) => f.args[0]).filter((v): v is string => typeof v === "string"));
  const failures = options.failures ?? { omissions: [], crashes: [] };
  const factState = (t: number): State => {
    const s: State = new Map();
    for (const f of program.facts) if (f.time === t) add(s, f.rel, [...f.args]);
    return s;
  };
  const states: State[] = [];
  const messages: MessageEvent[] = [];
  let pending: State = new Map();

  for (let t = 1; t <= eot; t++) {
    const cur = factState(t);
    for (const [rel, r] of pending) for (const args of r.values()) add(cur, rel, args);
    for (const obs of nodes) for (const c of failures.crashes) add(cur, CRASH_RELATION, [obs, c.node, c.time]);
    states[t] = cur;
    const read = (a: BodyAtom): Relation => {
      const at = a.time === null || a.time === t ? cur : a.time >= 1 && a.time < t ? states[a.time]! : factState(a.time);
      return at.get(a.rel) ?? new Map<string, Value[]>();
    };
    const solve = (rule: Rule): Binding[] => {
      const atoms = rule.body.filter((x): x is BodyAtom => x.kind === "atom");
      const existential = negatedSingletons(rule);
      let bindings: Binding[] = [new Map<string, Value>()];
      for (const a of atoms.filter((x) => !x.negated)) {
        const out: Binding[] = [];
        for (const b of bindings) {
          for (const tuple of read(a).values()) {
            const nb = new Map(b);
            const ok = a.args.every((term, i) => {
              if (term.kind === "wildcard") return true;
              if (term.kind === "const") return term.value === tuple[i];
              if (term.kind === "var") {
                if (nb.has(term.name)) return nb.get(term.name) === tuple[i];
                nb.set(term.name, tuple[i]!);
                return true;
              }
              return false;
            });
            if (ok) out.push(nb);
          }
        }
        bindings = out;
      }
      bindings = bindings.filter((b) =>
        atoms
          .filter((x) => x.negated)
          .every((a) => {
            for (const tuple of read(a).values()) {
              const matches = a.args.every(
                (term, i) =>
                  term.kind === "wildcard" || (term.kind === "var" && existential.has(term.name)) || evalTerm(term, b) === tuple[i],
              );
              if (matches) return false;
            }
            return true;
          }),
      );
      bindings = bindings.filter((b) => rule.body.every((x) => x.kind !== "compare" || compareValues(x, b)));
      // The site: first column of the first body atom must be a node (`_`: every node).
      const site = atoms[0]?.args[0];
      if (site && site.kind !== "wildcard") bindings = bindings.filter((b) => nodes.has(evalTerm(site, b) as string));
      return bindings;
    };
    const heads = (rule: Rule): Value[][] => {
      const bindings = solve(rule);
      const aggCols = rule.head.args.map((a, i) => (a.kind === "aggregate" ? i : -1)).filter((i) => i >= 0);
      if (aggCols.length === 0) return bindings.map((b) => rule.head.args.map((a) => evalTerm(a, b)));
      const groups = new Map<string, { key: Value[]; values: Map<number, Set<Value>> }>();
      for (const b of bindings) {
        const key = rule.head.args.map((a) => (a.kind === "aggregate" ? null : evalTerm(a, b)));
        const k = keyOf(key as Value[]);
        let g = groups.get(k);
        if (!g) groups.set(k, (g = { key: key as Value[], values: new Map(aggCols.map((c) => [c, new Set<Value>()])) }));
        for (const c of aggCols) {
          const a = rule.head.args[c]!;
          if (a.kind === "aggregate") g.values.get(c)!.add(b.get(a.variable.name)!);
        }
      }
      return [...groups.values()].map((g) =>
        rule.head.args.map((a, i) => {
          if (a.kind !== "aggregate") return g.key[i]!;
          const vs = [...g.values.get(i)!];
          const nums = vs as number[];
          switch (a.fn) {
            case "count":
              return vs.length;
            case "sum":
              return sumExact(nums, a.span);
            case "avg":
              return Math.trunc(sumExact(nums, a.span) / nums.length) + 0; // + 0: no -0 (the average of -1 and 0)
            case "min":
              return vs.reduce((x, y) => (y < x ? y : x));
            case "max":
              return vs.reduce((x, y) => (y > x ? y : x));
          }
        }),
      );
    };
    for (const stratum of info.strata) {
      const rules = stratum.rules.map((i) => program.rules[i]!);
      for (;;) {
        let changed = false;
        for (const r of rules) for (const h of heads(r)) if (add(cur, r.head.rel, h)) changed = true;
        if (!changed) break;
      }
    }
    pending = new Map();
    if (t < eot) for (const r of program.rules.filter((x) => x.head.time === "next")) for (const h of heads(r)) add(pending, r.head.rel, h);
    const sent = new Set<string>();
    for (const r of program.rules.filter((x) => x.head.time === "async")) {
      const site = r.body.find((x): x is BodyAtom => x.kind === "atom")?.args[0];
      const aggregate = r.head.args.some((a) => a.kind === "aggregate");
      const sends: { from: string; args: Value[] }[] = [];
      if (aggregate || !site || site.kind !== "var") {
        // Grouping keeps the sender only when the site variable is a head column; else the receiver sends.
        const siteCol = site?.kind === "var" ? r.head.args.findIndex((a) => a.kind === "var" && a.name === site.name) : -1;
        for (const h of heads(r))
          sends.push({ from: site?.kind === "const" ? (site.value as string) : ((siteCol >= 0 ? h[siteCol] : h[0]) as string), args: h });
      } else {
        for (const b of solve(r)) sends.push({ from: b.get(site.name) as string, args: r.head.args.map((a) => evalTerm(a, b)) });
      }
      for (const { from, args } of sends) {
        const k = keyOf([r.head.rel, from, ...args]);
        if (sent.has(k)) continue;
        sent.add(k);
        const to = args[0] as string;
        const crash = failures.crashes.some((c) => c.node === from && c.time <= t);
        const omitted = failures.omissions.some((o) => o.from === from && o.to === to && o.time === t);
        const lost = !nodes.has(to)
          ? "not-a-node"
          : t >= eot
            ? "after-eot"
            : from !== to && crash
              ? "crash"
              : from !== to && omitted
                ? "omission"
                : null;
        messages.push({ from, to, sendTime: t, rel: r.head.rel, args, lost });
        if (lost === null) add(pending, r.head.rel, args);
      }
    }
  }
  const facts: Fact[] = [];
  for (let t = 1; t <= eot; t++) for (const [rel, r] of states[t]!) for (const args of r.values()) facts.push({ rel, time: t, args });
  return { facts, messages };
}
