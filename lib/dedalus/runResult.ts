/**
 * The result of one run: the stores of every timestep as the engine left them, decoded only when
 * asked (`facts`, `has`, `messages`), and what provenance recorded.
 */
import type { MessageEvent, MessageLoss, CompiledProgram, Fact, RunResult, Value } from "./runtime";
import type { RecordedDerivations } from "./provenanceRecording";
import type { TupleStore } from "./store";

/** One `@async` send as the channel kept it: its outbox position, send time and fate. */
export interface SentMessage {
  box: TupleStore;
  id: number;
  sendTime: number;
  lost: MessageLoss;
}

/** The result of one run, decoded on demand; provenance.ts and support.ts read its recorded derivations. */
export class DedalusRun implements RunResult {
  private decodedMessages: MessageEvent[] | null = null;
  constructor(
    /** @internal */ readonly compiled: CompiledProgram,
    readonly eot: number,
    readonly nodes: string[],
    /** @internal stores[t][rel] for t = 1..eot */ readonly stores: TupleStore[][],
    private readonly rawMessages: readonly SentMessage[],
    /** @internal */ readonly provenance: RecordedDerivations | null,
    readonly stats: { tuples: number; wallMs: number },
  ) {}

  /** Decodes a stored tuple. */
  decode(rel: number, values: ArrayLike<number>, offset = 0): Value[] {
    const types = this.compiled.plan.relations[rel]!.types;
    const out: Value[] = [];
    for (let c = 0; c < types.length; c++) {
      const v = values[offset + c]!;
      out.push(types[c] === "string" ? this.compiled.interner.string(v) : v);
    }
    return out;
  }

  /** Encodes argument values for lookups; null when a string never occurs in the program. */
  encode(rel: number, args: readonly Value[]): Float64Array | null {
    const types = this.compiled.plan.relations[rel]!.types;
    if (args.length !== types.length) return null;
    const out = new Float64Array(args.length);
    for (let c = 0; c < args.length; c++) {
      const a = args[c]!;
      if (typeof a === "string") {
        if (types[c] === "int") return null;
        const id = this.compiled.interner.lookup(a);
        if (id < 0) return null;
        out[c] = id;
      } else {
        if (types[c] === "string") return null;
        out[c] = a;
      }
    }
    return out;
  }

  facts(rel?: string, time?: number): Fact[] {
    const plan = this.compiled.plan;
    const out: Fact[] = [];
    const relIds = rel === undefined ? plan.relations.map((r) => r.id) : plan.relationId.has(rel) ? [plan.relationId.get(rel)!] : [];
    const times = time === undefined ? Array.from({ length: this.eot }, (_, i) => i + 1) : time >= 1 && time <= this.eot ? [time] : [];
    for (const r of relIds) {
      const name = plan.relations[r]!.name;
      for (const t of times) {
        const s = this.stores[t]![r]!;
        const rows: Fact[] = [];
        for (let id = 0; id < s.count; id++) rows.push({ rel: name, time: t, args: this.decode(r, s.data, id * s.arity) });
        rows.sort((a, b) => compareArgs(a.args, b.args));
        for (const row of rows) out.push(row);
      }
    }
    out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : a.time - b.time));
    return out;
  }

  /** The store and id of a tuple, or null. @internal */
  locate(rel: string, args: readonly Value[], time: number): { store: TupleStore; id: number } | null {
    const r = this.compiled.plan.relationId.get(rel);
    if (r === undefined || time < 1 || time > this.eot) return null;
    const enc = this.encode(r, args);
    if (!enc) return null;
    const store = this.stores[time]![r]!;
    const id = store.find(enc);
    return id < 0 ? null : { store, id };
  }

  has(rel: string, args: Value[], time: number): boolean {
    return this.locate(rel, args, time) !== null;
  }

  get messages(): MessageEvent[] {
    if (!this.decodedMessages) {
      const interner = this.compiled.interner;
      this.decodedMessages = this.rawMessages.map((m) => {
        const base = m.id * m.box.arity;
        const args = this.decode(m.box.rel, m.box.data, base + 1);
        return {
          from: interner.string(m.box.data[base]!),
          to: String(args[0]),
          sendTime: m.sendTime,
          rel: this.compiled.plan.relations[m.box.rel]!.name,
          args,
          lost: m.lost,
        };
      });
    }
    return this.decodedMessages;
  }
}

/** Orders argument lists: integers before strings, integers numerically, strings by code unit. */
export function compareArgs(a: readonly Value[], b: readonly Value[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!,
      y = b[i]!;
    if (x === y) continue;
    if (typeof x === "number" && typeof y === "number") return x - y;
    if (typeof x === "number") return -1;
    if (typeof y === "number") return 1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}
