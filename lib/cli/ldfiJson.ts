import type { SearchResult } from "../ldfi/result";
import { versioned } from "./jsonSchema";

/**
 * The `--json` object of `maze ldfi` (DESIGN.md section 6), one home for the Dedalus search, the
 * handler search and the playground, so all three print exactly the same shape.
 */
export function ldfiJson(r: SearchResult): object {
  return versioned({
    verdict: r.verdict,
    executions: r.executions,
    wallMs: Math.round(r.wallMs * 1000) / 1000,
    counterexample: r.counterexample
      ? {
          omissions: r.counterexample.faults.omissions.map((o) => ({ from: o.from, to: o.to, time: o.time })),
          crashes: r.counterexample.faults.crashes.map((c) => ({ node: c.node, time: c.time })),
          missing: [...r.counterexample.missing],
        }
      : null,
    limit: r.limit,
  });
}
