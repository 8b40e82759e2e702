/**
 * `window.mazeLive`: the contract tests, graders and instructors' scripts drive a live page with
 * (DESIGN.md section 11; README "Live lessons").
 */
import type { DedalusJsonRequest } from "../../lib/cli/dedalusJson";

/** One output of a run: its richest MIME type and that representation as text. */
export interface RunOutput {
  readonly mime: string;
  readonly text: string;
}

/** What `run(i)` resolves to. `ms` is the cell's own time, loading excluded. */
export interface RunResult {
  readonly ok: boolean;
  readonly ms: number;
  readonly outputs: RunOutput[];
  readonly error?: string;
}

/** The request of the playground's `dedalus(...)`: files and the CLI's flags (the subset of `DedalusJsonRequest` the contract names). */
export type DedalusRequest = Pick<DedalusJsonRequest, "files" | "command" | "eot" | "eff" | "crashes" | "nodes" | "strategy" | "maxRuns">;

/** `window.mazeLive`. */
export interface LiveApi {
  /** Loads the runtime if it is not loaded yet (and starts a worker). */
  ready(): Promise<void>;
  /** The number of runnable cells, in page order. */
  cells(): number;
  /** Runs cell `i` (from 0) in the current scope, after any runs already queued; `source` replaces its code. */
  run(i: number, options?: { source?: string }): Promise<RunResult>;
  /** Runs every cell in order in a fresh scope; cells after a failure resolve `{ ok: false, error: "not run" }`. */
  runAll(): Promise<RunResult[]>;
  /** Ends the worker: pending runs resolve with `error: "stopped"` and the scope is gone. */
  stop(): Promise<void>;
  /** The playground only: `maze <command> --json`'s object for these files; never rejects. */
  dedalus?(request: DedalusRequest): Promise<object>;
  /** Sets the per-cell time limit in milliseconds (default 30 s); an extension beyond the contract, for tests and slow machines. */
  setTimeLimit?(ms: number): void;
  /** Page UI (not part of the contract): open a cell's editor, restore the page. */
  edit?(i: number): void;
  reset?(): void;
}
