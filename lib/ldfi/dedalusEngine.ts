import type { Program } from "../dedalus/ast";
import { runProgram, type RunResult } from "../dedalus/runtime";
import type { DedalusEngine, DedalusFact } from "./dedalusTarget";
import type { SupportGraph } from "./lineage";

type SupportFn = (result: RunResult, goals: DedalusFact[]) => SupportGraph;

let supportFn: SupportFn | undefined;

/**
 * lib/dedalus's `support()` (lineage over message edges), loaded on first use: random and
 * exhaustive search never need it, and this keeps the CLI's start-up cost for them low.
 */
function loadSupport(): SupportFn {
  if (!supportFn) {
    // require, not import(): under node16 module rules import() would load this CommonJS file as ESM.
    const mod = require("../dedalus/provenance") as { support?: SupportFn };
    if (typeof mod.support !== "function") throw new Error("lib/dedalus/provenance does not export support()");
    supportFn = mod.support;
  }
  return supportFn;
}

/** The real Dedalus evaluator as the LDFI search's engine. */
export const dedalusEngine: DedalusEngine<Program, RunResult> = {
  runProgram: (program, options) => runProgram(program, options),
  support: (result, goals) => loadSupport()(result, goals),
};
