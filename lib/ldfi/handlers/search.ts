import { exhaustiveSearch, randomSearch } from "../baselines";
import {
  faultKey,
  faultSet,
  formatFaults,
  NO_FAULTS,
  type CrashFault,
  type FaultBounds,
  type FaultSet,
  type OmissionFault,
} from "../faults";
import { ldfiSearch } from "../loop";
import { violations } from "../observation";
import { defaultHeapCeiling, heapUsedBytes } from "../../dedalus/limits";
import {
  DEFAULT_MAX_RUNS,
  DEFAULT_RUN_WALL_MS,
  DEFAULT_TIMEOUT_MS,
  SearchLimitError,
  type ExecutionBudget,
  type SearchLimit,
  type SearchOptions,
  type SearchResult,
  type SearchRun,
} from "../result";
import { MAX_KEPT_OBSERVATIONS } from "../session";
import type { HandlerObservation, HandlerTarget } from "./target";
import type { TickMessage, TickRun } from "./ticks";

/** What the completion phase did after LDFI's hypotheses ran out (null when it did not run). */
export interface CompletionStats {
  /** Executions made by the completion phase. */
  readonly executions: number;
  /** Effective fault sets whose run LDFI had already made (shown equivalent, not run again). */
  readonly coveredByLdfi: number;
  /** Effective fault sets considered in all (run or covered). */
  readonly effectiveSets: number;
}

/** A search result on a handler protocol: lib/ldfi's result plus the completion phase's figures. */
export interface HandlerSearchResult extends SearchResult {
  readonly completion: CompletionStats | null;
  /** Executions of the LDFI phase alone (failure-free run included); equal to executions for other strategies. */
  readonly ldfiExecutions: number;
}

/** A counterexample that does not recur when its faults are run again: the protocol is not deterministic. */
export class ReplayMismatchError extends Error {
  override readonly name = "ReplayMismatchError";
  constructor(
    readonly faults: FaultSet,
    expected: readonly string[],
    got: readonly string[],
  ) {
    super(
      `the counterexample ${formatFaults(faults)} did not replay: its run lost ${expected.join(", ")}, the replay lost ${got.length ? got.join(", ") : "nothing"}; ` +
        "a handler depends on something outside its state, the message and ctx (a global, a module-level variable, the clock)",
    );
  }
}

/**
 * Searches a handler protocol's fault space (DESIGN.md section 13).
 *
 * - `random` and `exhaustive` are lib/ldfi's baselines, unchanged.
 * - `ldfi` runs lib/ldfi's loop (SAT enumeration over each run's causal support) and then, since
 *   handlers are opaque and may react to the absence of a message (a timeout fires, a resend
 *   happens) in ways no lineage of the failure-free run shows, completes the search: every
 *   effective fault set within the bounds is run or shown to give a run already made. Only then is
 *   the verdict `certified`; a limit makes it `inconclusive`, naming the limit.
 *
 * Every counterexample is replayed and must lose the same keys again ({@link ReplayMismatchError}).
 */
export function handlerSearch(target: HandlerTarget, options: SearchOptions): HandlerSearchResult {
  const strategy = options.strategy ?? "ldfi";
  if (strategy !== "ldfi") {
    const r = strategy === "random" ? randomSearch(target, options) : exhaustiveSearch(target, options);
    replayCheck(target, r);
    return { ...r, completion: null, ldfiExecutions: r.executions };
  }
  const started = performance.now();
  const seen: HandlerObservation[] = [];
  const recording: HandlerTarget = {
    protocol: target.protocol,
    eot: target.eot,
    nodes: target.nodes,
    execute: (faults, budget) => {
      const o = target.execute(faults, budget);
      seen.push(o);
      return o;
    },
  };
  // The causal support of a run has no negative part: enumerating it twice (positive-first) finds nothing new.
  // No subsumption: a causal past is not a sound lineage of opaque code (see SearchOptions.subsumption).
  const first = ldfiSearch(recording, { ...options, order: options.order ?? "smallest-first", subsumption: false });
  replayCheck(target, first);
  if (first.verdict !== "certified" || first.failureFreePost.length === 0)
    return { ...first, completion: null, ldfiExecutions: first.executions };
  return complete(target, options, first, seen, started);
}

function replayCheck(target: HandlerTarget, r: SearchResult): void {
  if (!r.counterexample) return;
  const ff = new Set(r.failureFreePost);
  const again = violations(ff, target.execute(r.counterexample.faults));
  if (again.join("\n") !== [...r.counterexample.missing].join("\n"))
    throw new ReplayMismatchError(r.counterexample.faults, r.counterexample.missing, again);
}

/** A fault's place in time order: the tick of the first message it loses, then a fixed tie-break. */
function orderKey(f: { kind: "omit"; o: OmissionFault } | { kind: "crash"; c: CrashFault }): string {
  const t = f.kind === "omit" ? f.o.time : f.c.time;
  const rest = f.kind === "omit" ? `0 ${f.o.from} ${f.o.to}` : `1 ${f.c.node}`;
  return `${String(t).padStart(6, "0")} ${rest}`;
}

function lastOrderKey(f: FaultSet): string {
  const keys = [...f.omissions.map((o) => orderKey({ kind: "omit", o })), ...f.crashes.map((c) => orderKey({ kind: "crash", c }))].sort();
  return keys[keys.length - 1] ?? "";
}

/**
 * The effective part of a run's faults: omissions that lost a message, crashes moved to the tick of
 * the first message they lost. A crash that lost nothing changes nothing unless `pre`/`post` read
 * `run.crashed`; then it stays, at the tick after the node's last send to another node.
 */
export function effectiveFaults(run: TickRun<unknown>, crashSensitive: boolean): FaultSet {
  const lostBy = new Map<string, number>();
  for (const m of run.messages) {
    if (m.fate === "omission") lostBy.set(`o ${m.from} ${m.to} ${m.sendTime}`, m.sendTime);
    if (m.fate === "crash") lostBy.set(`c ${m.from}`, Math.min(m.sendTime, lostBy.get(`c ${m.from}`) ?? Infinity));
  }
  const omissions = run.faults.omissions.filter((o) => lostBy.has(`o ${o.from} ${o.to} ${o.time}`));
  const crashes: CrashFault[] = [];
  for (const c of run.faults.crashes) {
    const hit = lostBy.get(`c ${c.node}`);
    if (hit !== undefined) crashes.push({ node: c.node, time: hit });
    else if (crashSensitive) crashes.push({ node: c.node, time: silentCrashTime(run.messages, c.node) });
  }
  return faultSet(omissions, crashes);
}

/** Where a crash of `node` loses nothing: the tick after its last send to another node before EOT (at least 1). */
function silentCrashTime(messages: readonly TickMessage[], node: string): number {
  let last = 0;
  for (const m of messages) if (m.from === node && m.to !== node && m.fate !== "after-eot") last = Math.max(last, m.sendTime);
  return last + 1;
}

/**
 * The completion phase. Every run is determined by its effective faults (a fault on a message the
 * run never sends changes nothing, and no fault moves another message), and every effective fault
 * set F is reached from the empty set by adding its faults in time order: with the first k faults,
 * the run agrees with F's run up to the tick of fault k+1, so that fault hits a message that run
 * sends. So the phase walks those chains — extending each run only by faults later than its own that
 * hit a message it sent — runs each set LDFI has not already run (compared by effective faults),
 * and, when `pre`/`post` read `run.crashed`, adds the crashes that lose nothing as leaves.
 */
function complete(
  target: HandlerTarget,
  options: SearchOptions,
  first: SearchResult,
  seen: readonly HandlerObservation[],
  started: number,
): HandlerSearchResult {
  const bounds = options.bounds;
  const maxRuns = options.maxRuns ?? DEFAULT_MAX_RUNS;
  const deadline = started + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const maxHeapBytes = options.maxHeapBytes ?? defaultHeapCeiling();
  // the same bounds on each run as the LDFI phase's session hands its runs
  const budget: ExecutionBudget = {
    deadline,
    maxHeapBytes,
    wallMs: options.runLimits?.wallMs ?? DEFAULT_RUN_WALL_MS,
    ...(options.runLimits?.maxTuples !== undefined ? { maxTuples: options.runLimits.maxTuples } : {}),
  };
  const ff = new Set(first.failureFreePost);
  const runs: SearchRun[] = [...first.runs];
  const crashSensitive = seen.some((o) => o.crashSensitive);
  const known = new Map<string, TickRun<unknown>>();
  for (const o of seen) known.set(faultKey(effectiveFaults(o.run, crashSensitive)), o.run);
  let executions = 0;
  let covered = 0;
  let considered = 0;

  const finish = (
    end:
      | { verdict: "certified" }
      | { verdict: "counterexample"; faults: FaultSet; missing: string[] }
      | { verdict: "inconclusive"; limit: SearchLimit },
  ): HandlerSearchResult => ({
    ...first,
    verdict: end.verdict,
    executions: runs.length,
    wallMs: Math.round((performance.now() - started) * 1000) / 1000,
    counterexample: end.verdict === "counterexample" ? { faults: end.faults, missing: end.missing } : null,
    limit: end.verdict === "inconclusive" ? end.limit : null,
    runs,
    completion: { executions, coveredByLdfi: covered, effectiveSets: considered },
    ldfiExecutions: first.executions,
  });

  /** The run of an effective set: made already, or made now. */
  const obtain = (faults: FaultSet): { run: TickRun<unknown>; missing: string[] } | SearchLimit => {
    const key = faultKey(faults);
    considered++;
    const had = known.get(key);
    if (had) {
      covered++;
      return { run: had, missing: [] };
    }
    if (runs.length >= maxRuns) return "max-runs";
    if (performance.now() > deadline) return "timeout";
    if (heapUsedBytes() > maxHeapBytes) return "memory";
    const t0 = performance.now();
    let o: HandlerObservation;
    try {
      o = target.execute(faults, budget);
    } catch (e) {
      if (e instanceof SearchLimitError) return e.limit;
      throw e;
    }
    executions++;
    const missing = violations(ff, o);
    const index = runs.length;
    const keep = options.keepObservations === true && (index < MAX_KEPT_OBSERVATIONS || missing.length > 0);
    runs.push({
      index,
      faults,
      outcome: missing.length > 0 ? "violation" : "ok",
      missing,
      wallMs: performance.now() - t0,
      ...(keep ? { observation: o } : {}),
    });
    options.progress?.(
      `run ${index} (completion): ${formatFaults(faults)} -> ${missing.length > 0 ? `VIOLATION (missing ${missing.join(", ")})` : "ok"}`,
    );
    known.set(key, o.run);
    known.set(faultKey(effectiveFaults(o.run, crashSensitive)), o.run);
    return { run: o.run, missing };
  };

  const start = known.get(faultKey(NO_FAULTS));
  if (!start) throw new Error("completion: the failure-free run was not recorded");
  const expanded = new Set<string>();
  const stack: { faults: FaultSet; run: TickRun<unknown> }[] = [{ faults: NO_FAULTS, run: start }];
  while (stack.length > 0) {
    const { faults, run } = stack.pop() as { faults: FaultSet; run: TickRun<unknown> };
    const key = faultKey(faults);
    if (expanded.has(key)) continue;
    expanded.add(key);
    const children = crashSensitive
      ? [...extensions(faults, run, bounds), ...silentCrashLeaves(faults, run, bounds)]
      : extensions(faults, run, bounds);
    for (const child of children) {
      if (expanded.has(faultKey(child.faults))) continue;
      const got = obtain(child.faults);
      if (typeof got === "string") return finish({ verdict: "inconclusive", limit: got });
      if (got.missing.length > 0) return finish({ verdict: "counterexample", faults: child.faults, missing: got.missing });
      if (child.extend) stack.push({ faults: child.faults, run: got.run });
    }
  }
  return finish({ verdict: "certified" });
}

/** The fault sets that extend `faults` by one later fault hitting a message `run` sends. */
function extensions(faults: FaultSet, run: TickRun<unknown>, bounds: FaultBounds): { faults: FaultSet; extend: boolean }[] {
  const after = lastOrderKey(faults);
  const crashed = new Set(faults.crashes.map((c) => c.node));
  const out: { faults: FaultSet; extend: boolean }[] = [];
  const seenOmit = new Set<string>();
  const seenCrash = new Set<string>();
  for (const m of run.messages) {
    if (m.from === m.to || m.fate !== "delivered") continue;
    const o = { from: m.from, to: m.to, time: m.sendTime };
    const ok = `${o.from} ${o.to} ${o.time}`;
    if (o.time < bounds.eff && !seenOmit.has(ok) && orderKey({ kind: "omit", o }) > after) {
      seenOmit.add(ok);
      out.push({ faults: faultSet([...faults.omissions, o], faults.crashes), extend: true });
    }
    const c = { node: m.from, time: m.sendTime };
    const ck = `${c.node} ${c.time}`;
    if (
      !crashed.has(c.node) &&
      crashed.size < bounds.crashes &&
      c.time <= bounds.eot - 1 &&
      !seenCrash.has(ck) &&
      orderKey({ kind: "crash", c }) > after
    ) {
      seenCrash.add(ck);
      out.push({ faults: faultSet(faults.omissions, [...faults.crashes, c]), extend: true });
    }
  }
  // in send order: the walk runs all of a run's extensions before extending any of them further
  return out;
}

/** Crashes that lose nothing in `run` but change what `pre`/`post` see (they read `run.crashed`): leaves. */
function silentCrashLeaves(faults: FaultSet, run: TickRun<unknown>, bounds: FaultBounds): { faults: FaultSet; extend: boolean }[] {
  const crashed = new Set(faults.crashes.map((c) => c.node));
  const candidates = bounds.nodes
    .filter((n) => !crashed.has(n))
    .map((n) => ({ node: n, time: silentCrashTime(run.messages, n) }))
    .filter((c) => c.time <= bounds.eot - 1);
  const room = bounds.crashes - crashed.size;
  const out: { faults: FaultSet; extend: boolean }[] = [];
  const pick = (from: number, chosen: CrashFault[]): void => {
    if (chosen.length > 0) out.push({ faults: faultSet(faults.omissions, [...faults.crashes, ...chosen]), extend: false });
    if (chosen.length >= room) return;
    for (let i = from; i < candidates.length; i++) pick(i + 1, [...chosen, candidates[i] as CrashFault]);
  };
  pick(0, []);
  return out;
}
