import fc from "fast-check";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { faultSet, formatFaults, NO_FAULTS } from "../../lib/ldfi/faults";
import { HANDLER_TIMEOUT_MS, HandlerGuard } from "../../lib/ldfi/handlers/guard";
import { loadSimProtocol, ProtocolLoadError, setProtocolTranspiler } from "../../lib/ldfi/handlers/load";
import { transform } from "sucrase";
import { defineSimProtocol, SimProtocolError, type SimProtocolNode } from "../../lib/ldfi/handlers/protocol";
import { handlerSearch } from "../../lib/ldfi/handlers/search";
import { handlerTarget } from "../../lib/ldfi/handlers/target";
import { runTicks } from "../../lib/ldfi/handlers/ticks";
import { allFaultSets } from "../../lib/ldfi/baselines";
import { SimHandlerError } from "../../lib/sim/errors";
import { genProgramArb, genProtocol } from "./handlersGen";

type Msg = { kind: string; n?: number };

/** A protocol whose nodes log every event they see as "tick node event". */
function recorder(script: (self: string) => Partial<SimProtocolNode<Msg, string[]>>) {
  const log: string[] = [];
  const protocol = defineSimProtocol<Msg, string[]>({
    nodes: ["a", "b", "c"],
    node(self) {
      const s = script(self);
      return {
        onStart(ctx) {
          log.push(`${ctx.now} ${self} start`);
          s.onStart?.(ctx);
        },
        onMessage(ctx, m, from) {
          log.push(`${ctx.now} ${self} <- ${from} ${m.kind}${m.n ?? ""}`);
          s.onMessage?.(ctx, m, from);
        },
        onTimer(ctx, tag) {
          log.push(`${ctx.now} ${self} timer ${tag}`);
          s.onTimer?.(ctx, tag);
        },
        inspect: () => [],
      };
    },
    pre: () => [],
    post: () => [],
  });
  return { protocol, log };
}

describe("the tick schedule (DESIGN.md section 13)", () => {
  test("onStart at tick 1; each node in order takes its messages of t-1 by sender, then send order, then its timers", () => {
    const { protocol, log } = recorder((self) => ({
      onStart(ctx) {
        if (self === "c") ctx.send("b", { kind: "x", n: 1 });
        if (self === "a") {
          ctx.send("b", { kind: "y", n: 1 });
          ctx.send("b", { kind: "y", n: 2 });
          ctx.setTimer(1, "t1");
        }
        if (self === "b") ctx.setTimer(1, "tb");
      },
    }));
    runTicks(protocol, { eot: 3 });
    expect(log).toEqual([
      "1 a start",
      "1 b start",
      "1 c start",
      "2 a timer t1",
      "2 b <- a y1",
      "2 b <- a y2",
      "2 b <- c x1",
      "2 b timer tb",
    ]);
  });

  test("a message sent at EOT never arrives; a timer due after EOT never fires; messages to oneself are never lost", () => {
    const { protocol, log } = recorder((self) => ({
      onStart(ctx) {
        if (self === "a") ctx.setTimer(2, "late");
      },
      onTimer(ctx) {
        ctx.send("b", { kind: "atEot" });
        ctx.send("a", { kind: "self" });
        ctx.setTimer(5, "never");
      },
      onMessage(ctx, m) {
        if (m.kind === "ping") ctx.send(self, { kind: "self" });
      },
    }));
    const run = runTicks(protocol, { eot: 3, faults: faultSet([], [{ node: "a", time: 1 }]) });
    expect(log).toEqual(["1 a start", "1 b start", "1 c start", "3 a timer late"]);
    expect(run.messages.map((m) => `${m.from}->${m.to}@${m.sendTime} ${m.fate}`)).toEqual(["a->b@3 after-eot", "a->a@3 after-eot"]);
  });

  test("omit(from,to,t) loses exactly that channel at t; crash(n,t) mutes n towards others from t on while it keeps running", () => {
    const { protocol, log } = recorder((self) => ({
      onStart(ctx) {
        if (self === "a") ctx.setTimer(1, "go");
        if (self === "a") ctx.broadcast({ kind: "m", n: 1 });
      },
      onTimer(ctx) {
        ctx.broadcast({ kind: "m", n: ctx.now });
        ctx.send("a", { kind: "me", n: ctx.now });
        if (ctx.now < 3) ctx.setTimer(1, "go");
      },
    }));
    const run = runTicks(protocol, { eot: 4, faults: faultSet([{ from: "a", to: "b", time: 1 }], [{ node: "a", time: 3 }]) });
    expect(run.messages.map((m) => `${m.from}->${m.to}@${m.sendTime} ${m.fate}`)).toEqual([
      "a->b@1 omission",
      "a->c@1 delivered",
      "a->b@2 delivered",
      "a->c@2 delivered",
      "a->a@2 delivered",
      "a->b@3 crash",
      "a->c@3 crash",
      "a->a@3 delivered",
    ]);
    expect(log.filter((l) => l.startsWith("4"))).toEqual(["4 a <- a me3"]);
    expect(run.trace.drops().map((d) => d.reason)).toEqual(["loss", "crashed", "crashed"]);
  });

  test("every delivered message arrives exactly one tick after it was sent, under any faults (no fault moves another message)", () => {
    fc.assert(
      fc.property(genProgramArb, fc.integer({ min: 0, max: 40 }), (g, pick) => {
        const protocol = genProtocol(g);
        const bounds = { eot: 5, eff: 3, crashes: 1, nodes: protocol.nodes };
        let i = 0;
        let faults = NO_FAULTS;
        for (const f of allFaultSets(bounds))
          if (i++ === pick) {
            faults = f;
            break;
          }
        const run = runTicks(protocol, { eot: 5, faults });
        for (const d of run.trace.ofKind("deliver")) expect(d.time).toBe(d.sentAt + 1);
        // the same execution twice gives the same trace: ctx.random and the schedule are seeded
        expect(JSON.stringify(runTicks(protocol, { eot: 5, faults }).trace)).toBe(JSON.stringify(run.trace));
      }),
      { numRuns: 40 },
    );
  });

  test("ctx.random is seeded the same in every execution", () => {
    const protocol = defineSimProtocol<Msg, number>({
      nodes: ["a", "b"],
      node() {
        let x = 0;
        return { onStart: (ctx) => void (x = ctx.random.next()), inspect: () => x };
      },
      pre: () => [],
      post: (run) => run.nodes.map((n) => String(run.state(n))),
    });
    const a = runTicks(protocol, { eot: 2 });
    const b = runTicks(protocol, { eot: 2, faults: faultSet([{ from: "a", to: "b", time: 1 }], []) });
    expect(a.post).toEqual(b.post);
    expect(new Set(a.post).size).toBe(2); // each node has its own stream
  });
});

describe("protocol code that breaks the contract gets a clear error naming node and handler", () => {
  const base = (h: Partial<SimProtocolNode<Msg, null>>) =>
    defineSimProtocol<Msg, null>({
      nodes: ["a", "b"],
      node: (self) => ({
        ...(self === "b" ? h : {}),
        onStart: self === "a" ? (ctx) => ctx.send("b", { kind: "hi" }) : h.onStart,
        inspect: () => null,
      }),
      pre: () => [],
      post: () => [],
    });

  test("a handler that throws", () => {
    const p = base({
      onMessage: () => {
        throw new Error("boom");
      },
    });
    expect(() => runTicks(p, { eot: 3 })).toThrow("node b at t=2 in onMessage: threw: boom");
    try {
      runTicks(p, { eot: 3 });
    } catch (e) {
      expect(e).toBeInstanceOf(SimHandlerError);
      expect(e).toMatchObject({ node: "b", handler: "onMessage", time: 2 });
    }
  });

  test("a handler that loops is stopped after the limit (a second by default)", () => {
    expect(HANDLER_TIMEOUT_MS).toBe(1000);
    const p = base({
      onMessage: () => {
        for (;;) {
          /* spin */
        }
      },
    });
    expect(() => runTicks(p, { eot: 3, guard: new HandlerGuard(200) })).toThrow(
      "node b at t=2 in onMessage: ran longer than 0.2 s and was stopped (an endless loop?)",
    );
  });

  test("a handler that uses Math.random or Date.now, even when it catches the refusal", () => {
    expect(() => runTicks(base({ onMessage: () => void Math.random() }), { eot: 3 })).toThrow(
      /node b at t=2 in onMessage: Math\.random\(\) is not allowed in a handler/,
    );
    expect(() =>
      runTicks(
        base({
          onStart: () => {
            try {
              Date.now();
            } catch {
              /* hidden */
            }
          },
        }),
        { eot: 3 },
      ),
    ).toThrow(/node b at t=1 in onStart: Date\.now\(\) is not allowed/);
    expect(Math.random()).toBeLessThan(1); // restored afterwards
  });

  test("async handlers, unknown destinations, bad timers and non-data messages", () => {
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- an async handler is the error under test
    expect(() => runTicks(base({ onMessage: async () => undefined }), { eot: 3 })).toThrow(/in onMessage: returned a promise/);
    expect(() => runTicks(base({ onMessage: (ctx) => ctx.send("zz", { kind: "x" }) }), { eot: 3 })).toThrow(
      /in onMessage: ctx.send to unknown node "zz"/,
    );
    expect(() => runTicks(base({ onMessage: (ctx) => void ctx.setTimer(0.5) }), { eot: 3 })).toThrow(
      /ctx.setTimer: the delay is a whole number of ticks >= 1, got 0.5/,
    );
    expect(() =>
      runTicks(base({ onMessage: (ctx) => ctx.send("a", { kind: "f", n: (() => 1) as unknown as number }) }), { eot: 3 }),
    ).toThrow(/the message is not plain data/);
  });

  test("a bad spec is refused where it is written", () => {
    expect(() => defineSimProtocol({ nodes: [], node: () => ({ inspect: () => 0 }), pre: () => [], post: () => [] })).toThrow(
      new SimProtocolError("nodes", "expected a non-empty array of node names, got an array of 0"),
    );
    expect(() => defineSimProtocol({ nodes: ["a", "a"], node: () => ({ inspect: () => 0 }), pre: () => [], post: () => [] })).toThrow(
      'protocol: nodes[1]: duplicate node "a"',
    );
    const noInspect = defineSimProtocol({
      nodes: ["a"],
      node: () => ({}) as unknown as SimProtocolNode<unknown, unknown>,
      pre: () => [],
      post: () => [],
    });
    expect(() => runTicks(noInspect, { eot: 1 })).toThrow(/node a at t=0 in node: the handler object's inspect must be a function/);
    const badPost = defineSimProtocol({
      nodes: ["a"],
      node: () => ({ inspect: () => 0 }),
      pre: () => [],
      post: () => [1] as unknown as string[],
    });
    expect(() => runTicks(badPost, { eot: 1 })).toThrow(/post\(run\)\[0\] must be a string key, got number 1/);
  });
});

describe("loading a protocol module", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "maze-handlers-"));
  const write = (name: string, text: string): string => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a .ts module anywhere on disk imports "maze" and relative modules', () => {
    write("keys.ts", "export const key = (n: string): string => `${n}:ok`;\n");
    const f = write(
      "p.ts",
      'import { defineSimProtocol } from "maze";\nimport { key } from "./keys";\nexport default defineSimProtocol<string, boolean>({ nodes: ["a", "b"], node: (self) => { let got = self === "a"; return { onStart: (ctx) => { if (self === "a") ctx.send("b", "hi"); }, onMessage: () => { got = true; }, inspect: () => got }; }, pre: (run) => run.nodes.map(key), post: (run) => run.nodes.filter((n) => run.state(n)).map(key) });\n',
    );
    const { protocol, guard } = loadSimProtocol(f);
    const r = handlerSearch(handlerTarget(protocol, { eot: 3, guard }), { bounds: { eot: 3, eff: 2, crashes: 0, nodes: protocol.nodes } });
    expect(r.verdict).toBe("counterexample");
    expect(formatFaults(r.counterexample!.faults)).toBe("omit(a,b,1)");
  });

  test("Math.random in a loaded module is refused in its own realm too", () => {
    const f = write(
      "rnd.ts",
      'import { defineSimProtocol } from "maze";\nexport default defineSimProtocol({ nodes: ["a"], node: () => ({ onStart: () => { if (Math.random() > 2) throw new Error("x"); }, inspect: () => 0 }), pre: () => [], post: () => [] });\n',
    );
    const { protocol, guard } = loadSimProtocol(f);
    expect(() => runTicks(protocol, { eot: 1, guard })).toThrow(/node a at t=1 in onStart: Math\.random\(\) is not allowed/);
  });

  test("a replacement source keeps the module's relative imports (a variant of a twin)", () => {
    const twin = path.join(__dirname, "..", "..", "protocols", "handlers", "simple_delivery.ts");
    const source = fs
      .readFileSync(twin, "utf8")
      .replace(
        'ctx.broadcast({ kind: "data", payload: PAYLOAD });',
        'for (let i = 0; i < 2; i++) ctx.broadcast({ kind: "data", payload: PAYLOAD });',
      );
    const { protocol, guard } = loadSimProtocol(twin, { source });
    expect(runTicks(protocol, { eot: 2, guard }).messages).toHaveLength(4);
  });

  test("without Node's vm (the browser build) a registered transpiler loads the module", () => {
    const proc = process as unknown as { getBuiltinModule?: unknown };
    const saved = proc.getBuiltinModule;
    proc.getBuiltinModule = undefined;
    try {
      expect(() => loadSimProtocol(path.join(__dirname, "..", "..", "protocols", "handlers", "failover.ts"))).toThrow(
        /needs Node, or a transpiler registered with setProtocolTranspiler/,
      );
      setProtocolTranspiler((source, file) => transform(source, { transforms: ["typescript", "imports"], filePath: file }).code);
      const { protocol, guard } = loadSimProtocol(path.join(__dirname, "..", "..", "protocols", "handlers", "failover.ts"));
      const r = handlerSearch(handlerTarget(protocol, { eot: 5, guard }), {
        bounds: { eot: 5, eff: 2, crashes: 0, nodes: protocol.nodes },
      });
      expect(formatFaults(r.counterexample!.faults)).toBe("omit(a,m,1)");
    } finally {
      proc.getBuiltinModule = saved;
      setProtocolTranspiler(undefined);
    }
  });

  test("syntax errors are located; a missing default export is named", () => {
    expect(() => loadSimProtocol(write("bad.ts", "export default {\n  nodes: [,\n"))).toThrow(ProtocolLoadError);
    expect(() => loadSimProtocol(write("bad2.ts", "const x = ;\n"))).toThrow(/bad2\.ts:1:11: Expression expected/);
    expect(() => loadSimProtocol(write("plain.ts", "export default { nodes: ['a'] };\n"))).toThrow(
      /the default export must be a protocol built with defineSimProtocol/,
    );
    expect(() => loadSimProtocol(write("throws.ts", "throw new Error('at load');\n"))).toThrow(/the module threw while loading: at load/);
    expect(() => loadSimProtocol(path.join(dir, "missing.ts"))).toThrow(/cannot read the protocol module/);
  });
});

describe("the completion phase", () => {
  test("finds what lineage cannot see: a node reacting to an absence outside the judged nodes' causal past", () => {
    // a keeps resending to b until acked; w raises an alarm at tick 2 when a's note has not come,
    // and b forgets on an alarm. Nothing w does is in the failure-free causal past of a and b.
    const protocol = defineSimProtocol<{ kind: "data" | "ack" | "note" | "alarm" }, boolean>({
      nodes: ["a", "b", "w"],
      node(self) {
        let has = self === "a";
        let acked = false;
        let heard = false;
        return {
          onStart(ctx) {
            if (self === "a") {
              ctx.send("b", { kind: "data" });
              ctx.send("w", { kind: "note" });
              ctx.setTimer(1, "retry");
            }
            if (self === "w") ctx.setTimer(1, "watch");
          },
          onMessage(ctx, m, from) {
            if (m.kind === "data") {
              has = true;
              ctx.send(from, { kind: "ack" });
            }
            if (m.kind === "ack") acked = true;
            if (m.kind === "note") heard = true;
            if (m.kind === "alarm") has = false;
          },
          onTimer(ctx, tag) {
            if (tag === "retry" && !acked) {
              ctx.send("b", { kind: "data" });
              ctx.setTimer(1, "retry");
            }
            if (tag === "watch" && !heard) ctx.send("b", { kind: "alarm" });
          },
          inspect: () => has,
        };
      },
      pre: (run) => (run.state("a") ? ["v"] : []),
      post: (run) => (run.state("a") && run.state("b") ? ["v"] : []),
    });
    const target = handlerTarget(protocol, { eot: 5 });
    const bounds = { eot: 5, eff: 2, crashes: 0, nodes: protocol.nodes };
    const r = handlerSearch(target, { bounds });
    expect(r.verdict).toBe("counterexample");
    expect(formatFaults(r.counterexample!.faults)).toBe("omit(a,w,1)");
    expect(r.completion).not.toBeNull();
    expect(r.ldfiExecutions).toBeLessThan(r.executions);
    expect(handlerSearch(target, { bounds, strategy: "exhaustive" }).verdict).toBe("counterexample");
  });

  test("a limit during completion makes the verdict inconclusive, naming it", () => {
    const { protocol } = loadSimProtocol(path.join(__dirname, "..", "..", "protocols", "handlers", "2pc.ts"));
    const r = handlerSearch(handlerTarget(protocol, { eot: 7 }), {
      bounds: { eot: 7, eff: 3, crashes: 0, nodes: protocol.nodes },
      maxRuns: 50,
    });
    expect({ verdict: r.verdict, limit: r.limit, executions: r.executions }).toEqual({
      verdict: "inconclusive",
      limit: "max-runs",
      executions: 50,
    });
  });

  test("a run whose messages multiply passes the events bound: inconclusive, max-tuples", () => {
    const flood = defineSimProtocol<number, number>({
      nodes: ["a", "b"],
      node: (self) => ({
        onStart: (ctx) => {
          if (self === "a") ctx.send("b", 0);
        },
        onMessage: (ctx, m, from) => {
          for (let i = 0; i < 20; i++) ctx.send(from, m + 1);
        },
        inspect: () => 0,
      }),
      pre: () => ["k"],
      post: () => ["k"],
    });
    const r = handlerSearch(handlerTarget(flood, { eot: 6 }), {
      bounds: { eot: 6, eff: 2, crashes: 0, nodes: flood.nodes },
      runLimits: { maxTuples: 500 },
    });
    expect({ verdict: r.verdict, limit: r.limit }).toEqual({ verdict: "inconclusive", limit: "max-tuples" });
  });
});
