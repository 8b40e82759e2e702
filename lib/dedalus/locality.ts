/**
 * Locality (DESIGN.md section 5): in Dedalus only `@async` moves data between nodes. A protocol
 * rule runs at its site — the first column of its first body atom — and may read only what that
 * node stores; a deductive or `@next` head stays at the site; only an `@async` head names another
 * location. Molly does not enforce this, so without the rule a program can move a payload with no
 * message, no fault can touch it, and LDFI "certifies" a program that is not distributed at all.
 *
 * Invariant rules (`pre`, `post` and the relations read only on their way) are global observers
 * and are exempt. The check is an error by default; {@link LocalityMode} `"warn"` (the CLI's
 * `--allow-nonlocal`) keeps Molly's own non-local programs running unchanged.
 */
import { bodyAtoms, type HeadTerm, type LocalityMode, type Program, type Rule, type Term } from "./ast";
import type { Diagnostic } from "./diagnostics";
import { closeUnderReaders } from "./ruleGraph";

export type { LocalityMode } from "./ast";

/** The built-in `crash` relation holds identically at every node, so reading it is always local. */
const GLOBAL_RELATIONS: ReadonlySet<string> = new Set(["crash"]);

/** Relations read at EOT by the verdict rather than by rules (DESIGN.md section 5, invariants). */
export const INVARIANT_ROOTS: readonly string[] = ["pre", "post"];

/**
 * The relations that exist only to state invariants: `pre`, `post`, and every relation read solely
 * by rules that derive invariant relations (e.g. Molly's `missing_log`, `decision`, `lacks`). Their
 * rules take a global view on purpose.
 *
 * A helper must also be derived only in files that derive `pre` or `post` (Molly's assertion
 * files). Structure alone cannot tell an assertion's helper from a protocol's output that only
 * the assertion reads — `delivered(M, P) :- got(N, P), link(N, M);` in the protocol file would
 * otherwise count as an observer and teleport the payload. In a single-file program every file
 * derives the invariants and the structural rule is all there is.
 */
export function invariantRelations(program: Program): Set<string> {
  const invariantFiles = new Set(program.rules.filter((r) => INVARIANT_ROOTS.includes(r.head.rel)).map((r) => r.span.file));
  const derivedOutside = new Set(program.rules.filter((r) => !invariantFiles.has(r.span.file)).map((r) => r.head.rel)); // derived by a rule in a file that states no invariant
  const produced = new Set(program.rules.map((r) => r.head.rel));
  // EDB and built-ins are protocol inputs, not invariant helpers; a relation that reads itself
  // (persistence, recursion) is protocol state.
  return closeUnderReaders(program, INVARIANT_ROOTS, (rel) => produced.has(rel) && !derivedOutside.has(rel));
}

/** Union-find over location keys, so `p(X, ..), q(Y, ..), X == Y` counts as local. */
class Locations {
  private readonly parent = new Map<string, string>();
  find(k: string): string {
    let root = k;
    for (let p = this.parent.get(root); p !== undefined && p !== root; p = this.parent.get(root)) root = p;
    for (let cur = k; cur !== root;) {
      const next = this.parent.get(cur) ?? root;
      this.parent.set(cur, root);
      cur = next;
    }
    return root;
  }
  union(a: string, b: string): void {
    const ra = this.find(a),
      rb = this.find(b);
    if (ra !== rb) this.parent.set(ra, rb);
  }
}

/** A key naming the location a term denotes, or null when the term names none (`_`, arithmetic, an aggregate). */
function locationKey(t: Term | HeadTerm | undefined): string | null {
  if (!t) return null;
  if (t.kind === "var") return `var:${t.name}`;
  if (t.kind === "const") return `const:${JSON.stringify(t.value)}`;
  return null;
}

function describeLocation(t: Term | HeadTerm | undefined): string {
  if (!t) return "?";
  if (t.kind === "var") return t.name;
  if (t.kind === "const") return JSON.stringify(t.value);
  if (t.kind === "wildcard") return "_";
  return "a computed value";
}

/** The locality diagnostic of one rule, or null when the rule is local. */
function ruleLocality(rule: Rule, severity: "error" | "warning"): Diagnostic | null {
  const atoms = bodyAtoms(rule);
  const site = atoms[0];
  if (!site) return null; // no-site is the checker's own error
  const locs = new Locations();
  for (const b of rule.body) {
    if (b.kind !== "compare" || b.op !== "==") continue;
    const l = locationKey(b.left),
      r = locationKey(b.right);
    if (l && r) locs.union(l, r);
  }
  const siteKey = locationKey(site.args[0]);
  // `_` names every node at once, so nothing read or stored beside it is provably at the same node.
  const atSite = (t: Term | HeadTerm | undefined): boolean => {
    const k = locationKey(t);
    return k !== null && siteKey !== null && locs.find(k) === locs.find(siteKey);
  };
  const remote = atoms.slice(1).filter((a) => !GLOBAL_RELATIONS.has(a.rel) && !atSite(a.args[0]));
  const headRemote = rule.head.time !== "async" && !atSite(rule.head.args[0]);
  if (remote.length === 0 && !headRemote) return null;

  const where =
    site.args[0]?.kind === "wildcard"
      ? `this rule runs at every node (the first column of ${site.rel} is _)`
      : `this rule runs at ${describeLocation(site.args[0])} (the first column of ${site.rel})`;
  const reads = remote.map((a) => `${a.negated ? "notin " : ""}${a.rel} at ${describeLocation(a.args[0])}`).join(", ");
  const kind = rule.head.time === "next" ? "an @next" : "a deductive";
  const parts: string[] = [];
  if (remote.length > 0) parts.push(`but reads ${reads}`);
  if (headRemote)
    parts.push(`${remote.length > 0 ? "and" : "but"} stores ${rule.head.rel} at ${describeLocation(rule.head.args[0])} with ${kind} head`);
  const fix =
    remote.length > 0
      ? `a node can only join what it stores: send it with @async first`
      : `only @async moves data between nodes: send it with @async first`;
  const related = [
    ...remote.map((a) => ({ message: `${a.rel} is read at location ${describeLocation(a.args[0])}`, span: a.span })),
    ...(headRemote
      ? [{ message: `${rule.head.rel} is stored at location ${describeLocation(rule.head.args[0])}`, span: rule.head.span }]
      : []),
  ];
  const d: Diagnostic = {
    code: remote.length > 0 ? "non-local-join" : "non-local-head",
    severity,
    message: `${where} ${parts.join(" ")}; ${fix}`,
    span: rule.span,
    related,
  };
  return d;
}

/** Whether `rule` reads only what its site stores and keeps a deductive or `@next` head there (`@async` heads may go anywhere). */
export function isLocalRule(rule: Rule): boolean {
  return ruleLocality(rule, "error") === null;
}

/**
 * One diagnostic per non-local protocol rule (`non-local-join` when its body reads another
 * location, else `non-local-head`), naming the atoms and both locations, with the fix. Pure: reads
 * the AST only.
 */
export function checkLocality(program: Program, mode: LocalityMode = "error"): Diagnostic[] {
  const invariant = invariantRelations(program);
  const severity = mode === "error" ? "error" : "warning";
  const out: Diagnostic[] = [];
  for (const rule of program.rules) {
    if (invariant.has(rule.head.rel)) continue;
    const d = ruleLocality(rule, severity);
    if (d) out.push(d);
  }
  return out;
}
