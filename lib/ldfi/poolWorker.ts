/**
 * The worker thread of the LDFI pool (pool.ts): rebuilds each search's target from its recipe,
 * and for every job runs the fault set, judges it against the failure-free `post` and, when it
 * kept its goals, computes its expansion — the same functions the loop calls, so a reply is what
 * the loop would have computed itself.
 */
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { dedalusEngine } from "./dedalusEngine";
import { dedalusTarget } from "./dedalusTarget";
import { expansionOf } from "./expansion";
import { violations, type FaultTarget } from "./observation";
import type { PoolReply, PoolRequest, PoolSearchContext } from "./pool";
import type { ExecutionBudget } from "./result";

const { port, signal } = workerData as { port: MessagePort; signal: Int32Array };

interface Search {
  readonly context: PoolSearchContext;
  readonly target: FaultTarget;
  readonly failureFreePost: ReadonlySet<string>;
  readonly budget: ExecutionBudget;
}
const searches = new Map<number, Search>();

function reply(r: PoolReply): void {
  port.postMessage(r);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
}

parentPort?.on("message", (m: PoolRequest) => {
  if (m.type === "search") {
    const c = m.search;
    const r = c.recipe;
    const target = dedalusTarget(dedalusEngine, r.program, {
      eot: r.eot,
      ...(r.nodes ? { nodes: r.nodes } : {}),
      crashSensitive: r.crashSensitive,
      ...(r.joinBudget !== undefined ? { joinBudget: r.joinBudget } : {}),
    });
    const budget: ExecutionBudget = {
      deadline: c.deadlineEpoch - performance.timeOrigin,
      maxHeapBytes: c.maxHeapBytes,
      ...(c.runLimits.maxTuples !== undefined ? { maxTuples: c.runLimits.maxTuples } : {}),
      ...(c.runLimits.wallMs !== undefined ? { wallMs: c.runLimits.wallMs } : {}),
    };
    searches.set(m.ctx, { context: c, target, failureFreePost: new Set(c.failureFreePost), budget });
    return;
  }
  if (m.type === "end") {
    searches.delete(m.ctx);
    return;
  }
  const s = searches.get(m.ctx);
  if (!s) return reply({ type: "result", ctx: m.ctx, key: m.key, ok: false, error: "unknown search" });
  try {
    const t0 = performance.now();
    const obs = s.target.execute(m.faults, s.budget);
    const missing = violations(s.failureFreePost, obs);
    const wallMs = performance.now() - t0;
    const expansion =
      missing.length > 0
        ? null
        : expansionOf(obs, { ...s.context, failureFreePost: s.failureFreePost }, m.cap, () => performance.now() > s.budget.deadline);
    reply({ type: "result", ctx: m.ctx, key: m.key, ok: true, wallMs, missing, expansion });
  } catch (e) {
    // Limits and errors are the loop's to report: it runs this fault set again itself.
    reply({ type: "result", ctx: m.ctx, key: m.key, ok: false, error: e instanceof Error ? e.message : String(e) });
  }
});

reply({ type: "ready" });
