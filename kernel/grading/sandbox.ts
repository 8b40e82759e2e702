import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { CrdtQuestion } from "../../lib/labs/crdtQuestions";
import type { ProtocolQuestion } from "../../lib/labs/protocolSession";
import { LAB_MESSAGE, type ServedDefinition } from "../../lib/labs/serveLab";
import type { CellFailureReport } from "../headless/execute";
import { serializeNotebook, type Notebook } from "../headless/notebookFormat";
import { sandboxWorker } from "./libraryCopy";

/**
 * The student's notebook process, sandboxed. What it may do:
 * - read the library copy (no solutions, tests or grader; see libraryCopy.ts) and its own work
 *   folder, write only in its work folder, start no process and no worker (Node's permission model);
 * - use at most {@link SandboxLimits.memoryMb} of heap and, where `prlimit` exists, a capped address
 *   space (Buffers included) and CPU time;
 * - no network and no signals to other processes where the grader runs as root and `unshare` works
 *   (private network and PID namespaces).
 * It is its own process group, killed as a whole. Its deadlines are set by the parent when the
 * process starts and when a cell starts; no message from it can extend them.
 */

/** Limits of one student process. */
export interface SandboxLimits {
  /** A student cell running longer is stopped (ms). */
  readonly cellTimeoutMs: number;
  /** The whole notebook, up to the definitions the grader reads (ms). */
  readonly notebookTimeoutMs: number;
  /** V8 heap (MB); the address space is capped at a multiple of it where `prlimit` exists. */
  readonly memoryMb: number;
}

/** Default heap of a student process: lab 1 needs about 300 MB; tslab alone about 200. */
export const DEFAULT_MEMORY_MB = 1024;
/** Address space per student process: `prlimit --as=1G` kills tslab, 2 GB runs lab 1 (measured). */
const ADDRESS_SPACE_BYTES = 3 * 1024 * 1024 * 1024;
/** Outputs (charts included) of one cell above which the grader says so; it keeps none of them. */
export const CELL_OUTPUT_LIMIT = 4 * 1024 * 1024;
/** Stderr kept to explain a crash. */
const STDERR_TAIL = 4096;

/** How a run of the notebook ended, before or at the point the grader got the definitions. */
export type NotebookOutcome =
  | { readonly kind: "definitions"; readonly definitions: Readonly<Record<string, ServedDefinition>> }
  | { readonly kind: "cell-timeout"; readonly cell: number }
  | { readonly kind: "deadline" }
  | { readonly kind: "ended"; readonly message: string };

/** The permission flag of this Node: `--permission` from Node 23.5, `--experimental-permission` on 20 and 22. */
export function permissionFlag(): string {
  return process.allowedNodeEnvironmentFlags.has("--permission") ? "--permission" : "--experimental-permission";
}

/**
 * A private network namespace (no network) and PID namespace (no signals to, or sight of, other
 * processes): the permission model blocks neither. `--fork` makes the node process a child of
 * unshare in the same process group; `--kill-child` takes it down with unshare.
 */
const UNSHARE = ["--net", "--pid", "--fork", "--kill-child"] as const;

let wrappersMemo: string[] | undefined;
/** The commands the node process is started under, where they work here: unshare (network), prlimit (memory, CPU). */
function wrappers(cpuSeconds: number): string[] {
  if (wrappersMemo === undefined) {
    wrappersMemo = [];
    if (process.platform === "linux") {
      const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
      if (isRoot && spawnSync("unshare", [...UNSHARE, "true"], { stdio: "ignore" }).status === 0) wrappersMemo.push("unshare");
      if (spawnSync("prlimit", ["--version"], { stdio: "ignore" }).status === 0) wrappersMemo.push("prlimit");
    }
  }
  const out: string[] = [];
  if (wrappersMemo.includes("unshare")) out.push("unshare", ...UNSHARE, "--");
  if (wrappersMemo.includes("prlimit")) out.push("prlimit", `--as=${ADDRESS_SPACE_BYTES}`, `--cpu=${cpuSeconds}`, "--");
  return out;
}

/** What the sandbox could apply here (reported in results.json). */
export function sandboxMechanisms(): string[] {
  wrappers(1);
  return [
    `node ${permissionFlag()}`,
    ...(wrappersMemo ?? []).map((w) => (w === "unshare" ? "unshare --net --pid" : "prlimit --as --cpu")),
    "process group kill",
  ];
}

/** One execution of a student notebook in the sandbox. */
export class StudentProcess {
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private settle: ((o: NotebookOutcome) => void) | undefined;
  readonly outcome: Promise<NotebookOutcome>;
  /** Student cells that failed (1-based), in order. */
  readonly failures: CellFailureReport[] = [];
  /** Things to tell the student that are not failures (output limits). */
  readonly notes: string[] = [];
  private stderr = "";
  private lastCell = -1;
  private cellTimer: NodeJS.Timeout | undefined;
  private readonly deadline: NodeJS.Timeout;
  private nextAsk = 0;
  private readonly pending = new Map<number, { resolve(a: unknown): void; reject(e: Error): void }>();
  private alive = true;

  /**
   * Starts the worker on `notebook` (its last cell is the grader's) in `workDir`. `codeCells` are
   * the indices of the notebook's code cells: a cell-start for any other index is ignored.
   */
  constructor(
    notebook: Notebook,
    private readonly workDir: string,
    libraryRoot: string,
    private readonly limits: SandboxLimits,
    private readonly graderCell: number,
  ) {
    const file = path.join(workDir, "submission.ipynb");
    fs.writeFileSync(file, serializeNotebook(notebook));
    const codeCells = new Set(notebook.cells.flatMap((c, i) => (c.cell_type === "code" && c.source.trim() !== "" ? [i] : [])));
    const node = [
      permissionFlag(),
      `--allow-fs-read=${path.join(libraryRoot, "node_modules")}`,
      `--allow-fs-read=${workDir}`,
      `--allow-fs-write=${workDir}`,
      `--max-old-space-size=${limits.memoryMb}`,
      "--no-warnings",
      sandboxWorker(libraryRoot),
      file,
      "--continue",
    ];
    const cpu = Math.ceil(limits.notebookTimeoutMs / 1000) * 2 + 30;
    const wrap = wrappers(cpu);
    const [command, ...args] = wrap.length > 0 ? [...wrap, process.execPath, ...node] : [process.execPath, ...node];
    this.outcome = new Promise((resolve) => (this.settle = resolve));
    this.child = spawn(command as string, args, {
      cwd: workDir,
      detached: true,
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: workDir, TMPDIR: workDir, LANG: "C.UTF-8" },
    });
    this.exited = new Promise((resolve) => this.child.once("exit", () => resolve()));
    this.child.stdout?.on("data", () => undefined);
    this.child.stderr?.on("data", (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-STDERR_TAIL);
    });
    this.deadline = setTimeout(() => this.finish({ kind: "deadline" }), limits.notebookTimeoutMs);
    this.child.on("message", (raw: unknown) => this.onMessage(raw, codeCells));
    this.child.on("exit", (code, signal) => {
      this.alive = false;
      const tail = this.stderr.trim().split("\n").slice(-3).join(" | ");
      const message = `the notebook process ended unexpectedly (${signal ?? `exit ${code}`})${tail ? `: ${tail}` : ""}`;
      this.finish({ kind: "ended", message });
      for (const p of this.pending.values()) p.reject(new Error(message));
      this.pending.clear();
    });
    this.child.on("error", (e) => this.finish({ kind: "ended", message: `the notebook process could not start: ${e.message}` }));
  }

  private finish(o: NotebookOutcome): void {
    if (this.cellTimer) clearTimeout(this.cellTimer);
    clearTimeout(this.deadline);
    const s = this.settle;
    this.settle = undefined;
    s?.(o);
  }

  private onMessage(raw: unknown, codeCells: ReadonlySet<number>): void {
    if (typeof raw !== "object" || raw === null) return;
    const m = raw as Record<string, unknown>;
    if (m["type"] === "cell-start" && typeof m["index"] === "number") {
      const index = m["index"];
      // Cells run in order: a repeated or unknown index (a forged keep-alive) changes nothing.
      if (!codeCells.has(index) || index <= this.lastCell) return;
      this.lastCell = index;
      if (this.cellTimer) clearTimeout(this.cellTimer);
      this.cellTimer = setTimeout(
        () =>
          this.finish(
            index === this.graderCell
              ? { kind: "ended", message: `the grader's cell got no answer within ${this.limits.cellTimeoutMs / 1000} s` }
              : { kind: "cell-timeout", cell: index + 1 },
          ),
        this.limits.cellTimeoutMs,
      );
    } else if (
      m["type"] === "cell-done" &&
      typeof m["index"] === "number" &&
      m["index"] === this.lastCell &&
      m["index"] < this.graderCell
    ) {
      const failure = m["failure"] as { line?: unknown; column?: unknown; message?: unknown } | undefined;
      let size: number;
      try {
        size = JSON.stringify(m["outputs"] ?? []).length;
      } catch {
        size = 0;
      }
      // The worker cuts a cell's printing at its limit and says so in the cell's stderr.
      const cut = /\[maze\] cell \d+ printed more than (\d+) bytes; the rest was dropped/.exec(
        JSON.stringify(m["outputs"] ?? []).slice(-4096),
      );
      if (cut) this.notes.push(`cell ${m["index"] + 1} printed more than ${cut[1]} bytes; the rest was dropped`);
      else if (size > CELL_OUTPUT_LIMIT)
        this.notes.push(`cell ${m["index"] + 1} output more than ${CELL_OUTPUT_LIMIT} bytes; the grader kept none of it`);
      if (failure && typeof failure.message === "string") {
        const f: { cell: number; line?: number; column?: number; message: string } = {
          cell: m["index"] + 1,
          message: failure.message.slice(0, 2000),
        };
        if (typeof failure.line === "number") f.line = failure.line;
        if (typeof failure.column === "number") f.column = failure.column;
        this.failures.push(f);
      }
    } else if (m["type"] === LAB_MESSAGE.definitions && this.lastCell === this.graderCell && this.settle) {
      const defs = m["definitions"];
      if (typeof defs !== "object" || defs === null) return;
      this.finish({ kind: "definitions", definitions: defs as Record<string, ServedDefinition> });
    } else if (m["type"] === LAB_MESSAGE.answers && typeof m["id"] === "number") {
      const p = this.pending.get(m["id"]);
      if (!p) return;
      this.pending.delete(m["id"]);
      p.resolve(m["answers"]);
    }
  }

  /** Asks the student process a batch of questions about definition `name`; rejects after `timeoutMs` or if it ends. */
  ask(name: string, questions: readonly CrdtQuestion[] | readonly ProtocolQuestion[], timeoutMs: number): Promise<unknown> {
    if (!this.alive) return Promise.reject(new Error("the notebook process has ended"));
    const id = this.nextAsk++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new AskTimeout(timeoutMs));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (a) => {
          clearTimeout(timer);
          resolve(a);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.send({ type: LAB_MESSAGE.ask, id, name, questions });
    });
  }

  /** Kills the whole process group and resolves once the process is gone. */
  async kill(): Promise<void> {
    this.finish({ kind: "ended", message: "stopped by the grader" });
    if (this.alive && this.child.pid !== undefined) {
      try {
        process.kill(-this.child.pid, "SIGKILL");
      } catch {
        this.child.kill("SIGKILL");
      }
    }
    await this.exited;
    this.child.removeAllListeners("message");
  }

  /** The work folder, for the grader to check nothing escaped it. */
  get folder(): string {
    return this.workDir;
  }
}

/** A question batch that got no answer in time (a student function that loops). */
export class AskTimeout extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${ms / 1000} s`);
    this.name = "AskTimeout";
  }
}
