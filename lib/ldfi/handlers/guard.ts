import type * as NodeVm from "node:vm";
import { SimHandlerError } from "../../sim/errors";
import { nodeBuiltin } from "../nodeBuiltins";

/**
 * Longest a single handler call may run. A handler is a few lines reacting to one message; a
 * second is orders of magnitude beyond that, so it is an endless loop, and the search says where.
 */
export const HANDLER_TIMEOUT_MS = 1000;

/** Where a guarded call runs, for its error message. */
export interface CallSite {
  readonly node: string;
  readonly handler: string;
  readonly tick: number;
}

/**
 * Runs protocol code under the handler contract: one call at a time, interrupted after
 * {@link HANDLER_TIMEOUT_MS} (V8 can stop a synchronous loop only from a watchdog, which
 * `vm`'s `timeout` provides: about 50 µs per call, measured), `Math.random` and `Date.now` refused
 * (replays must be exact; `ctx.random` is seeded the same in every execution), a returned promise
 * refused (a handler's effects must happen within its tick). Every failure is a
 * {@link SimHandlerError} naming the node, the handler and the tick. Where there is no `vm` (the
 * browser build) calls run unguarded by time: the worker's Stop button is the limit there.
 */
export class HandlerGuard {
  private readonly vm = nodeBuiltin<typeof NodeVm>("node:vm");
  private readonly context = this.vm?.createContext({ __mazeCall: undefined as undefined | (() => unknown) });
  private readonly script = this.vm ? new this.vm.Script("__mazeCall()", { filename: "maze-handler-call" }) : undefined;
  private forbidden: string | undefined;
  private depth = 0;

  /**
   * @param realms - the `Math`/`Date` objects protocol code may reach: this realm's and, for a module
   * loaded in its own context (see load.ts), that context's.
   */
  constructor(
    private readonly timeoutMs: number = HANDLER_TIMEOUT_MS,
    private readonly realms: readonly { Math: { random: () => number }; Date: { now: () => number } }[] = [globalThis],
  ) {}

  /** Calls `fn` as `site` and returns its result. */
  call<T>(site: CallSite, fn: () => T): T {
    // A handler calling back into the guard (e.g. ctx.send) runs inside the outer call's budget.
    if (this.depth > 0) return fn();
    this.forbidden = undefined;
    const saved = this.realms.map((r) => ({ random: r.Math.random, now: r.Date.now }));
    const refuse = (what: string) => (): never => {
      this.forbidden = what;
      throw new SimHandlerError(
        site.node,
        site.tick,
        site.handler,
        `${what}() is not allowed in a handler: runs must replay exactly (use ctx.random for randomness, ctx.now for the tick)`,
      );
    };
    for (const r of this.realms) {
      r.Math.random = refuse("Math.random");
      r.Date.now = refuse("Date.now");
    }
    let result: T;
    this.depth++;
    try {
      if (this.script && this.context) {
        this.context["__mazeCall"] = fn;
        result = this.script.runInContext(this.context, { timeout: this.timeoutMs }) as T;
      } else result = fn();
    } catch (e) {
      if (e instanceof SimHandlerError) throw e;
      if (isTimeout(e))
        throw new SimHandlerError(
          site.node,
          site.tick,
          site.handler,
          `ran longer than ${this.timeoutMs / 1000} s and was stopped (an endless loop?)`,
        );
      throw new SimHandlerError(site.node, site.tick, site.handler, `threw: ${errorMessage(e)}`, { cause: e });
    } finally {
      this.depth--;
      if (this.context) this.context["__mazeCall"] = undefined;
      this.realms.forEach((r, i) => {
        r.Math.random = (saved[i] as { random: () => number }).random;
        r.Date.now = (saved[i] as { now: () => number }).now;
      });
    }
    // A handler that caught the refusal still broke the contract. (The cast undoes TypeScript's
    // narrowing from the reset above: refuse() sets the field behind its back.)
    const forbidden = this.forbidden as string | undefined;
    if (forbidden !== undefined)
      throw new SimHandlerError(
        site.node,
        site.tick,
        site.handler,
        `${forbidden}() is not allowed in a handler: runs must replay exactly (use ctx.random for randomness, ctx.now for the tick)`,
      );
    if (typeof (result as { then?: unknown } | null)?.then === "function") {
      throw new SimHandlerError(
        site.node,
        site.tick,
        site.handler,
        "returned a promise: handlers are synchronous (their sends and timers belong to the tick they run in)",
      );
    }
    return result;
  }
}

function isTimeout(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { code?: unknown }).code === "ERR_SCRIPT_EXECUTION_TIMEOUT";
}

/** The message of an error from any realm (a module loaded in its own context throws its own Error). */
export function errorMessage(e: unknown): string {
  if (typeof e === "object" && e !== null && typeof (e as { message?: unknown }).message === "string")
    return (e as { message: string }).message;
  return String(e);
}
