/**
 * The checker's hard errors (DESIGN.md section 5): everything the evaluator relies on. Warnings and the
 * CALM analysis live in separate modules; this one answers "can this program run, and how".
 *
 * - arity: every use of a relation has the same number of columns;
 * - column types: each column holds only strings or only integers (inferred by unifying the columns a
 *   variable flows through), and the first column (the location) holds strings;
 * - safety: head, negated and compared variables are bound by a positive body atom;
 * - stratification within a timestep: no negation or aggregation inside a same-timestep cycle
 *   (through `@next/@async` is fine), reported with the cycle and its rules;
 * - reserved names: `clock`, `*_vars`, `*_prov<k>`; the built-in `crash/3` is read-only;
 * - locality (lib/dedalus/locality.ts): only `@async` moves data between nodes.
 */
import { formatLocation, error, type Diagnostic } from "./diagnostics";
import type { BodyAtom, HeadTerm, Program, Rule, Span, Term } from "./ast";
import { checkLocality } from "./locality";

/** The built-in relation `crash(Observer, Crashed, CrashTime)`. */
export const CRASH_RELATION = "crash";

/** The type a column holds; `unknown` when nothing in the program pins it down (values only flow through variables). */
export type ColumnType = "string" | "int" | "unknown";

/** What the checker learned about one relation. */
export interface RelationInfo {
  name: string;
  arity: number;
  types: ColumnType[];
  /** Where the relation is first mentioned. */
  span: Span;
  /** Has ground facts. */
  hasFacts: boolean;
  /** Rules deriving it, by head time. */
  derivedBy: { same: number[]; next: number[]; async: number[] };
}

/** The result of checking: the relations, the per-timestep strata, and per-rule variable types. */
export interface ProgramInfo {
  relations: Map<string, RelationInfo>;
  /**
   * Same-timestep evaluation order: each stratum is a set of relations (a strongly connected component of
   * the same-time dependency graph) with the same-time rules deriving them. Strata are in dependency order.
   */
  strata: { relations: string[]; rules: number[]; recursive: boolean }[];
  /** For each rule (by index), the inferred type of each variable. */
  variableTypes: Map<string, ColumnType>[];
}

/** Is this relation name reserved by Molly's rewriting (clock, *_vars, *_prov<k>)? */
export function isReservedName(name: string): boolean {
  return name === "clock" || name.endsWith("_vars") || /_prov\d+$/.test(name);
}

/**
 * Variables that occur exactly once in a rule, inside a `notin` atom. Molly (through C4) reads them as
 * existential, like `_`; several of its example programs rely on that, so we do too.
 */
export function negatedSingletons(rule: Rule): Set<string> {
  const count = new Map<string, number>();
  const bump = (t: Term | HeadTerm): void => {
    if (t.kind === "var") count.set(t.name, (count.get(t.name) ?? 0) + 1);
    else if (t.kind === "binary") {
      bump(t.left);
      bump(t.right);
    } else if (t.kind === "aggregate") bump(t.variable);
  };
  rule.head.args.forEach(bump);
  for (const b of rule.body) {
    if (b.kind === "atom") b.args.forEach(bump);
    else {
      bump(b.left);
      bump(b.right);
    }
  }
  const out = new Set<string>();
  for (const b of rule.body) {
    if (b.kind === "atom" && b.negated) for (const a of b.args) if (a.kind === "var" && count.get(a.name) === 1) out.add(a.name);
  }
  return out;
}

/** Union-find over "type slots" (relation columns and rule variables). */
class TypeUnifier {
  private parent: number[] = [];
  private type: ColumnType[] = [];
  private origin: (Span | null)[] = [];
  fresh(): number {
    this.parent.push(this.parent.length);
    this.type.push("unknown");
    this.origin.push(null);
    return this.parent.length - 1;
  }
  find(x: number): number {
    while (this.parent[x] !== x) {
      this.parent[x] = this.parent[this.parent[x]!]!;
      x = this.parent[x]!;
    }
    return x;
  }
  typeOf(x: number): ColumnType {
    return this.type[this.find(x)]!;
  }
  originOf(x: number): Span | null {
    return this.origin[this.find(x)]!;
  }
  /** Pins a type; returns the conflicting earlier origin when the class already has the other type. */
  assign(x: number, t: "string" | "int", span: Span): { conflict: Span | null } {
    const r = this.find(x);
    const cur = this.type[r]!;
    if (cur === "unknown") {
      this.type[r] = t;
      this.origin[r] = span;
      return { conflict: null };
    }
    return { conflict: cur === t ? null : (this.origin[r] ?? span) };
  }
  union(a: number, b: number, span: Span): { conflict: Span | null; types: [ColumnType, ColumnType] } {
    const ra = this.find(a),
      rb = this.find(b);
    if (ra === rb) return { conflict: null, types: ["unknown", "unknown"] };
    const ta = this.type[ra]!,
      tb = this.type[rb]!;
    if (ta !== "unknown" && tb !== "unknown" && ta !== tb) return { conflict: this.origin[ra] ?? this.origin[rb] ?? span, types: [ta, tb] };
    this.parent[rb] = ra;
    if (ta === "unknown") {
      this.type[ra] = tb;
      this.origin[ra] = this.origin[rb]!;
    }
    return { conflict: null, types: [ta, tb] };
  }
}

const plural = (t: ColumnType): string => (t === "int" ? "integers" : "strings");

/**
 * Checks a program; returns the diagnostics and what the evaluator needs to run it. The diagnostics
 * are errors, except that locality violations are warnings when the program was loaded with
 * `locality: "warn"`.
 */
export function checkProgram(program: Program): { diagnostics: Diagnostic[]; info: ProgramInfo } {
  const diagnostics: Diagnostic[] = [];
  const relations = new Map<string, RelationInfo>();
  const slots = new Map<string, number[]>();
  const tu = new TypeUnifier();

  const declare = (name: string, arity: number, span: Span): RelationInfo | null => {
    let info = relations.get(name);
    if (!info) {
      info = { name, arity, types: [], span, hasFacts: false, derivedBy: { same: [], next: [], async: [] } };
      relations.set(name, info);
      slots.set(
        name,
        Array.from({ length: arity }, () => tu.fresh()),
      );
      if (arity === 0)
        diagnostics.push(error("arity-zero", `relation '${name}' has no columns; its first column must be a location`, span));
      if (isReservedName(name))
        diagnostics.push(
          error(
            "reserved-name",
            `'${name}' is a reserved relation name (clock, names ending in _vars or _prov<k> are used by Molly's rewriting)`,
            span,
          ),
        );
      return info;
    }
    if (info.arity !== arity) {
      diagnostics.push(
        error(
          "arity",
          `relation '${name}' is used with ${arity} column${arity === 1 ? "" : "s"} here but ${info.arity} at ${formatLocation(info.span)}`,
          span,
          [{ message: `'${name}' first used with ${info.arity} columns here`, span: info.span }],
        ),
      );
      return null;
    }
    return info;
  };
  // The built-in crash relation: (Observer: string, Crashed: string, CrashTime: int).
  const crashSpan: Span = { file: "<builtin>", start: 0, end: 0, line: 1, col: 1 };
  declare(CRASH_RELATION, 3, crashSpan);
  const crashSlots = slots.get(CRASH_RELATION)!;
  tu.assign(crashSlots[0]!, "string", crashSpan);
  tu.assign(crashSlots[1]!, "string", crashSpan);
  tu.assign(crashSlots[2]!, "int", crashSpan);

  const typeConflict = (rel: string, col: number, here: ColumnType, other: Span, span: Span): void => {
    const otherType: ColumnType = here === "int" ? "string" : "int";
    diagnostics.push(
      error(
        "column-type",
        `column ${col + 1} of '${rel}' holds ${plural(here)} here but ${plural(otherType)} at ${formatLocation(other)}`,
        span,
        [{ message: `${plural(otherType)} here`, span: other }],
      ),
    );
  };
  const pin = (slot: number, t: "string" | "int", rel: string, col: number, span: Span): void => {
    const { conflict } = tu.assign(slot, t, span);
    if (conflict) typeConflict(rel, col, t, conflict, span);
  };

  // Facts.
  for (const f of program.facts) {
    if (f.rel === CRASH_RELATION) {
      diagnostics.push(
        error("crash-derived", "'crash' is built in (it lists the run's crashes); it cannot be stated as a fact", f.relSpan),
      );
      continue;
    }
    const info = declare(f.rel, f.args.length, f.relSpan);
    if (!info) continue;
    info.hasFacts = true;
    const s = slots.get(f.rel)!;
    f.args.forEach((v, i) => pin(s[i]!, typeof v === "number" ? "int" : "string", f.rel, i, f.argSpans[i] ?? f.span));
  }

  // Rules: arity, type unification, safety.
  const variableSlots: Map<string, number>[] = [];
  for (const r of program.rules) {
    const vars = new Map<string, number>();
    variableSlots[r.index] = vars;
    const varSlot = (name: string): number => {
      let s = vars.get(name);
      if (s === undefined) {
        s = tu.fresh();
        vars.set(name, s);
      }
      return s;
    };
    const unifyVar = (name: string, slot: number, rel: string, col: number, span: Span): void => {
      const u = tu.union(slot, varSlot(name), span);
      if (u.conflict) {
        diagnostics.push(
          error(
            "column-type",
            `variable ${name} is used in column ${col + 1} of '${rel}', which holds ${plural(u.types[0])}, but elsewhere as ${plural(u.types[1])}`,
            span,
            [{ message: `${plural(u.types[1])} here`, span: u.conflict }],
          ),
        );
      }
    };
    const pinVar = (name: string, t: "string" | "int", span: Span): void => {
      const { conflict } = tu.assign(varSlot(name), t, span);
      if (conflict)
        diagnostics.push(
          error(
            "column-type",
            `variable ${name} must be an integer here (arithmetic or an integer comparison) but holds strings at ${formatLocation(conflict)}`,
            span,
            [{ message: "strings here", span: conflict }],
          ),
        );
    };
    const pinTermInts = (t: Term): void => {
      if (t.kind === "var") pinVar(t.name, "int", t.span);
      else if (t.kind === "binary") {
        pinTermInts(t.left);
        pinTermInts(t.right);
      } else if (t.kind === "const" && typeof t.value === "string") {
        diagnostics.push(error("column-type", `arithmetic on the string ${JSON.stringify(t.value)}`, t.span));
      }
    };
    const termType = (t: Term): ColumnType =>
      t.kind === "const" ? (typeof t.value === "number" ? "int" : "string") : t.kind === "binary" ? "int" : "unknown";

    // Head.
    const head = r.head;
    if (head.rel === CRASH_RELATION)
      diagnostics.push(error("crash-derived", "'crash' is built in (it lists the run's crashes); rules cannot derive it", head.relSpan));
    const hinfo = head.rel === CRASH_RELATION ? null : declare(head.rel, head.args.length, head.relSpan);
    if (hinfo) hinfo.derivedBy[head.time].push(r.index);
    const hs = hinfo ? slots.get(head.rel)! : null;
    head.args.forEach((a, i) => {
      const slot = hs?.[i];
      switch (a.kind) {
        case "var":
          if (slot !== undefined) unifyVar(a.name, slot, head.rel, i, a.span);
          break;
        case "const":
          if (slot !== undefined) pin(slot, typeof a.value === "number" ? "int" : "string", head.rel, i, a.span);
          break;
        case "binary":
          if (slot !== undefined) pin(slot, "int", head.rel, i, a.span);
          pinTermInts(a);
          break;
        case "aggregate":
          if (a.fn === "min" || a.fn === "max") {
            if (slot !== undefined) unifyVar(a.variable.name, slot, head.rel, i, a.span);
          } else {
            if (slot !== undefined) pin(slot, "int", head.rel, i, a.span);
            if (a.fn !== "count") pinVar(a.variable.name, "int", a.variable.span);
          }
          if (i === 0) diagnostics.push(error("aggregate", "the first head column is the location; it cannot be an aggregate", a.span));
          break;
        case "wildcard":
          diagnostics.push(error("head-wildcard", `head column ${i + 1} of '${head.rel}' is '_': every head column needs a value`, a.span));
          break;
      }
    });

    // Body.
    const bound = new Set<string>();
    const atoms = r.body.filter((b): b is BodyAtom => b.kind === "atom");
    if (atoms.length === 0)
      diagnostics.push(
        error("no-site", "a rule needs at least one body atom: the first column of the first body atom is where it runs", r.head.span),
      );
    for (const b of r.body) {
      if (b.kind === "atom") {
        const info = declare(b.rel, b.args.length, b.relSpan);
        const s = info ? slots.get(b.rel)! : null;
        b.args.forEach((a, i) => {
          const slot = s?.[i];
          if (a.kind === "var") {
            if (slot !== undefined) unifyVar(a.name, slot, b.rel, i, a.span);
            if (!b.negated) bound.add(a.name);
          } else if (a.kind === "const") {
            if (slot !== undefined) pin(slot, typeof a.value === "number" ? "int" : "string", b.rel, i, a.span);
          } else if (a.kind === "binary") {
            diagnostics.push(
              error(
                "body-arithmetic",
                `arithmetic inside '${b.rel}(...)' is not supported: bind a variable and compare, e.g. ${b.rel}(..., Y, ...), Y == ...`,
                a.span,
              ),
            );
          }
        });
      } else {
        const lt = termType(b.left),
          rt = termType(b.right);
        const arith =
          b.left.kind === "binary" || b.right.kind === "binary" || (b.op !== "==" && b.op !== "!=" && (lt === "int" || rt === "int"));
        if (arith) {
          pinTermInts(b.left);
          pinTermInts(b.right);
        } else if (b.left.kind === "var" && b.right.kind === "var") {
          const u = tu.union(varSlot(b.left.name), varSlot(b.right.name), b.span);
          if (u.conflict)
            diagnostics.push(
              error("column-type", `comparing ${b.left.name} (${plural(u.types[0])}) with ${b.right.name} (${plural(u.types[1])})`, b.span),
            );
        } else if (b.left.kind === "var" && (rt === "int" || rt === "string")) pinVar(b.left.name, rt, b.span);
        else if (b.right.kind === "var" && (lt === "int" || lt === "string")) pinVar(b.right.name, lt, b.span);
        else if (lt !== "unknown" && rt !== "unknown" && lt !== rt)
          diagnostics.push(error("column-type", `comparing ${plural(lt)} with ${plural(rt)}`, b.span));
      }
    }
    // Safety (range restriction).
    const unsafe = (name: string, where: string, span: Span): void => {
      diagnostics.push(error("unsafe-variable", `variable ${name} ${where} is not bound by a positive body atom`, span));
    };
    const seen = new Set<string>();
    const checkTerm = (t: Term | HeadTerm, where: string): void => {
      if (t.kind === "var" && !bound.has(t.name) && !seen.has(t.name + where)) {
        seen.add(t.name + where);
        unsafe(t.name, where, t.span);
      } else if (t.kind === "binary") {
        checkTerm(t.left, where);
        checkTerm(t.right, where);
      } else if (t.kind === "aggregate") checkTerm(t.variable, where);
    };
    for (const a of head.args) checkTerm(a, `in the head of '${head.rel}'`);
    const existential = negatedSingletons(r);
    for (const b of r.body) {
      if (b.kind === "atom" && b.negated) {
        for (const a of b.args) if (!(a.kind === "var" && existential.has(a.name))) checkTerm(a, `in 'notin ${b.rel}(...)'`);
      } else if (b.kind === "compare") {
        checkTerm(b.left, "in a comparison");
        checkTerm(b.right, "in a comparison");
      }
    }
  }

  // Location columns are strings.
  for (const [name, info] of relations) {
    const s = slots.get(name)!;
    info.types = s.map((x) => tu.typeOf(x));
    if (info.arity > 0 && info.types[0] === "int") {
      const where = tu.originOf(s[0]!) ?? info.span;
      diagnostics.push(
        error(
          "location-type",
          `the first column of '${name}' is its location and must hold strings, but integers are used at ${formatLocation(where)}`,
          where,
        ),
      );
    }
  }
  const variableTypes = program.rules.map((r) => {
    const m = new Map<string, ColumnType>();
    for (const [v, s] of variableSlots[r.index] ?? new Map<string, number>()) m.set(v, tu.typeOf(s));
    return m;
  });

  const strata = stratify(program, relations, diagnostics);
  diagnostics.push(...checkLocality(program, program.locality ?? "error"));
  return { diagnostics, info: { relations, strata, variableTypes } };
}

/** Same-timestep dependency edges: body relation → head relation, negative for notin and aggregate heads. */
interface Edge {
  from: string;
  to: string;
  negative: boolean;
  rule: Rule;
  span: Span;
}

function stratify(program: Program, relations: Map<string, RelationInfo>, diagnostics: Diagnostic[]): ProgramInfo["strata"] {
  const names = [...relations.keys()];
  const id = new Map(names.map((n, i) => [n, i]));
  const out: Edge[][] = names.map(() => []);
  for (const r of program.rules) {
    if (r.head.time !== "same" || !id.has(r.head.rel)) continue;
    const agg = r.head.args.some((a) => a.kind === "aggregate");
    for (const b of r.body) {
      if (b.kind !== "atom" || !id.has(b.rel)) continue;
      out[id.get(b.rel)!]!.push({
        from: b.rel,
        to: r.head.rel,
        negative: b.negated || agg,
        rule: r,
        span: b.negated ? b.span : r.head.span,
      });
    }
  }
  // Tarjan's SCC (iterative, so deep dependency chains cannot overflow the stack). Emits SCCs in reverse
  // topological order of the edge direction (sinks first), so we reverse at the end.
  const n = names.length;
  const index = new Int32Array(n).fill(-1),
    low = new Int32Array(n),
    onStack = new Uint8Array(n);
  const stack: number[] = [];
  const comps: number[][] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    const work: [number, number][] = [[root, 0]];
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const v = frame[0];
      const edges = out[v]!;
      if (frame[1] < edges.length) {
        const w = id.get(edges[frame[1]++]!.to)!;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          work.push([w, 0]);
        } else if (onStack[w]) low[v] = Math.min(low[v]!, index[w]!);
      } else {
        work.pop();
        if (work.length > 0) {
          const u = work[work.length - 1]![0];
          low[u] = Math.min(low[u]!, low[v]!);
        }
        if (low[v] === index[v]) {
          const comp: number[] = [];
          let w: number;
          do {
            w = stack.pop()!;
            onStack[w] = 0;
            comp.push(w);
          } while (w !== v);
          comps.push(comp);
        }
      }
    }
  }
  comps.reverse();
  const compOf = new Int32Array(n);
  comps.forEach((c, i) => c.forEach((v) => (compOf[v] = i)));
  const strata: ProgramInfo["strata"] = [];
  for (const comp of comps) {
    const members = new Set(comp);
    const inner = comp.flatMap((v) => out[v]!.filter((e) => members.has(id.get(e.to)!)));
    const bad = inner.find((e) => e.negative);
    if (bad) diagnostics.push(negativeCycle(bad, inner));
    const rels = comp.map((v) => names[v]!);
    const relSet = new Set(rels);
    const rules = program.rules.filter((r) => r.head.time === "same" && relSet.has(r.head.rel)).map((r) => r.index);
    strata.push({ relations: rels, rules, recursive: inner.length > 0 });
  }
  return strata;
}

/** Builds the diagnostic for a negative edge inside a cycle: finds the path back and names its rules. */
function negativeCycle(bad: Edge, inner: Edge[]): Diagnostic {
  // BFS from bad.to back to bad.from along inner edges.
  const prev = new Map<string, Edge>();
  const queue = [bad.to];
  const seen = new Set([bad.to]);
  while (queue.length > 0 && !seen.has(bad.from)) {
    const v = queue.shift()!;
    for (const e of inner) {
      if (e.from === v && !seen.has(e.to)) {
        seen.add(e.to);
        prev.set(e.to, e);
        queue.push(e.to);
      }
    }
  }
  const path: Edge[] = [bad];
  let cur = bad.from;
  while (cur !== bad.to && prev.has(cur)) {
    const e = prev.get(cur)!;
    path.push(e);
    cur = e.from;
  }
  // path = bad, then edges walking backwards from bad.from to bad.to; render forwards from bad.to.
  const forward = [bad, ...path.slice(1).reverse()];
  const chain = [bad.from, ...forward.map((e) => `${e.negative ? "-/->" : "->"} ${e.to}`)].join(" ");
  const why = bad.rule.head.args.some((a) => a.kind === "aggregate") ? "aggregation" : "negation";
  return error(
    "unstratifiable",
    `${why} inside a same-timestep cycle: ${chain} (break the cycle with @next, or move the ${why} out of it)`,
    bad.span,
    forward.map((e) => ({ message: `${e.from} ${e.negative ? "-/->" : "->"} ${e.to}: ${e.rule.text}`, span: e.rule.span })),
  );
}
