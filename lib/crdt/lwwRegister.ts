import { CrdtStateError, asObject, canonicalJson, defineCrdt, isJson, malformed, type Crdt, type Json, type ReplicaId } from "./lattice";

/** LWW-Register state: a value with the timestamp and writer of the write that set it. */
export interface LWWRegisterState {
  readonly value: Json;
  readonly ts: number;
  readonly writer: ReplicaId;
}

/**
 * Write `value`. `ts` is the writer's clock (e.g. simulated time); the register uses
 * `max(ts, current ts + 1)` so a write always supersedes what its writer has already seen.
 */
export interface LWWRegisterOp {
  readonly op: "set";
  readonly value: Json;
  readonly ts?: number;
}

const NAME = "lww-register";

/** Total order of writes: timestamp, then writer id, then value (so equal stamps still merge deterministically). */
function compare(a: LWWRegisterState, b: LWWRegisterState): number {
  if (a.ts !== b.ts) return a.ts < b.ts ? -1 : 1;
  if (a.writer !== b.writer) return a.writer < b.writer ? -1 : 1;
  const x = canonicalJson(a.value),
    y = canonicalJson(b.value);
  return x < y ? -1 : x > y ? 1 : 0;
}

function stamp(s: LWWRegisterState, op: LWWRegisterOp, r: ReplicaId): LWWRegisterState {
  return { value: op.value, ts: Math.max(op.ts ?? 0, s.ts + 1), writer: r };
}

/**
 * LWW-Register: the write with the largest (timestamp, writer) wins; concurrent writes are silently
 * lost — which is the point of the lesson that compares it with the MV-Register. Lattice: a total order,
 * join = max. Delta of `set`: the new register itself (the whole state is one write).
 */
export const lwwRegister: Crdt<LWWRegisterState, LWWRegisterOp, Json> = defineCrdt({
  name: NAME,
  ops: ["set"],
  bottom: () => ({ value: null, ts: 0, writer: "" }),
  joinInto: (into, from) => (compare(into, from) >= 0 ? into : { ...from }),
  leq: (a, b) => compare(a, b) <= 0,
  delta: stamp,
  applyInPlace: stamp,
  value: (s) => s.value,
  clone: (s) => ({ ...s }),
  encode: (s) => ({ ts: s.ts, value: s.value, writer: s.writer }),
  decode: (j) => {
    const o = asObject(NAME, "state", j);
    if (typeof o["ts"] !== "number") malformed(NAME, "state.ts", `expected a number, got ${JSON.stringify(o["ts"])}`);
    if (typeof o["writer"] !== "string") malformed(NAME, "state.writer", `expected a string, got ${JSON.stringify(o["writer"])}`);
    return { value: (o["value"] ?? null) as Json, ts: o["ts"], writer: o["writer"] };
  },
  check: (s) => {
    if (!Number.isFinite(s.ts) || s.ts < 0) return new CrdtStateError(NAME, "timestamp-non-negative", "state.ts", `bad timestamp ${s.ts}`);
    if ((s.ts === 0) !== (s.writer === ""))
      return new CrdtStateError(
        NAME,
        "bottom-has-no-writer",
        "state.writer",
        `timestamp ${s.ts} with writer ${JSON.stringify(s.writer)}: only the initial register (ts 0) has no writer`,
      );
    if (s.ts === 0 && s.value !== null)
      return new CrdtStateError(NAME, "bottom-has-no-writer", "state.value", "the initial register holds null");
    if (!isJson(s.value)) return new CrdtStateError(NAME, "json-value", "state.value", "value is not JSON");
    return undefined;
  },
});
