/**
 * The messages between a live page and its worker. The page owns time limits and Stop (it
 * terminates the worker); the worker owns the scope, compiles and runs cells, and answers the
 * playground's Dedalus requests.
 */
import type { DedalusJsonRequest } from "../../lib/cli/dedalusJson";

/** One output of a cell: its richest MIME type, that representation as text, and the whole bundle. */
export interface LiveOutput {
  readonly mime: string;
  readonly text: string;
  /** `stdout`/`stderr` for a stream, `result` for the cell's value, `display` for a bundle. */
  readonly kind: "stdout" | "stderr" | "result" | "display";
  readonly bundle?: Readonly<Record<string, unknown>>;
}

/** Page → worker. */
export type ToWorker =
  | { readonly type: "run"; readonly id: number; readonly cell: number; readonly source: string }
  | { readonly type: "dedalus"; readonly id: number; readonly request: DedalusJsonRequest; readonly report?: boolean }
  | { readonly type: "svg"; readonly id: number; readonly svg?: string; readonly error?: string };

/** Worker → page. */
export type FromWorker =
  | { readonly type: "ready" }
  | { readonly type: "output"; readonly id: number; readonly index: number; readonly output: LiveOutput }
  | {
      readonly type: "done";
      readonly id: number;
      readonly ok: boolean;
      readonly ms: number;
      readonly error?: string;
      readonly line?: number;
    }
  | { readonly type: "progress"; readonly id: number; readonly line: string }
  | { readonly type: "dedalus-done"; readonly id: number; readonly json: object; readonly report?: object }
  | { readonly type: "svg-request"; readonly id: number; readonly spec: object };

/** MIME types from richest to plainest, as the static site picks what to draw. */
export const MIME_ORDER = [
  "application/vnd.vegalite.v5+json",
  "image/svg+xml",
  "text/html",
  "text/markdown",
  "image/png",
  "text/plain",
] as const;
