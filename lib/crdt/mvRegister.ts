import { CausalContext, parseDot, type Dot } from "./causalContext";
import { CrdtStateError, asArray, asObject, canonicalJson, defineCrdt, isJson, malformed, type Crdt, type Json } from "./lattice";

/**
 * MV-Register state: the concurrent writes not yet overwritten, each under the dot of its write, and
 * the causal context of every write seen (so a merge can tell "overwritten" from "not yet seen").
 */
export interface MVRegisterState {
  readonly entries: Map<Dot, Json>;
  readonly context: CausalContext;
}

/** Write `value`, overwriting every write this replica has seen. */
export interface MVRegisterOp {
  readonly op: "set";
  readonly value: Json;
}

const NAME = "mv-register";

/**
 * MV-Register (multi-value): concurrent writes are all kept and shown, for the application to resolve;
 * a write overwrites exactly the writes it has seen. Lattice: a causal dot-store (entries, context);
 * merge keeps a write if both sides have it or the other side has not seen its dot. Delta of `set v`:
 * the new write plus a context naming the dots it overwrites.
 */
export const mvRegister: Crdt<MVRegisterState, MVRegisterOp, Json[]> = defineCrdt<MVRegisterState, MVRegisterOp, Json[]>({
  name: NAME,
  ops: ["set"],
  bottom: () => ({ entries: new Map(), context: new CausalContext() }),
  joinInto: (into, from) => {
    for (const d of [...into.entries.keys()]) if (!from.entries.has(d) && from.context.has(d)) into.entries.delete(d);
    for (const [d, v] of from.entries) if (!into.entries.has(d) && !into.context.has(d)) into.entries.set(d, v);
    into.context.joinInto(from.context);
    return into;
  },
  leq: (a, b) => {
    if (!a.context.leq(b.context)) return false;
    for (const d of b.entries.keys()) if (a.context.has(d) && !a.entries.has(d)) return false;
    return true;
  },
  delta: (s, op, r) => {
    const d = s.context.next(r);
    const context = new CausalContext();
    for (const old of s.entries.keys()) context.add(old);
    context.add(d);
    return { entries: new Map([[d, op.value]]), context };
  },
  applyInPlace: (s, op, r) => {
    const d = s.context.next(r);
    s.entries.clear();
    s.entries.set(d, op.value);
    s.context.add(d);
    return s;
  },
  value: (s) => {
    const byText = new Map<string, Json>();
    for (const v of s.entries.values()) byText.set(canonicalJson(v), v);
    return [...byText.keys()].sort().map((k) => byText.get(k) as Json);
  },
  clone: (s) => ({ entries: new Map(s.entries), context: s.context.clone() }),
  encode: (s) => ({ context: s.context.encode(), entries: [...s.entries.keys()].sort().map((d) => [d, s.entries.get(d) as Json]) }),
  decode: (j) => {
    const o = asObject(NAME, "state", j);
    const entries = new Map<Dot, Json>();
    asArray(NAME, "state.entries", o["entries"]).forEach((e, i) => {
      const pair = asArray(NAME, `state.entries[${i}]`, e);
      if (pair.length !== 2 || !parseDot(pair[0])) malformed(NAME, `state.entries[${i}]`, "expected [dot, value]");
      entries.set(pair[0] as Dot, (pair[1] ?? null) as Json);
    });
    return { entries, context: CausalContext.decode(NAME, "state.context", o["context"]) };
  },
  check: (s) => {
    const c = s.context.check(NAME, "state.context");
    if (c) return c;
    for (const [d, v] of s.entries) {
      if (!parseDot(d)) return new CrdtStateError(NAME, "well-formed", "state.entries", `not a dot: ${JSON.stringify(d)}`);
      if (!s.context.has(d))
        return new CrdtStateError(
          NAME,
          "dots-in-context",
          `state.entries[${JSON.stringify(d)}]`,
          `write ${d} is not in the causal context`,
        );
      if (!isJson(v)) return new CrdtStateError(NAME, "json-value", `state.entries[${JSON.stringify(d)}]`, "value is not JSON");
    }
    return undefined;
  },
});
