import { receiveMessageOnPort, Worker, MessageChannel, parentPort, workerData, type MessagePort } from "node:worker_threads";
import * as path from "node:path";
import { evaluateLab5, type Lab5Check, type Lab5Outcome, type Lab5Session } from "../../lib/labs/lab5Handlers";
import { SessionAnswerError, type ProtocolQuestion } from "../../lib/labs/protocolSession";
import { PROJECT_ROOT } from "../jupyterPaths";
import { AskTimeout, type StudentProcess } from "./sandbox";

/**
 * Lab 5's search, in the grading parent, against a protocol that stays in the sandboxed student
 * process. The handler search is synchronous (each execution returns its observation), the student
 * process answers over IPC (asynchronous), and the parent's event loop must stay free for its
 * deadlines and other submissions; so the search runs in a worker thread of the parent, and each
 * execution blocks that thread only: it posts its question, waits on a shared flag
 * (`Atomics.wait`), and the parent's main thread asks the student process, passes the raw answer
 * back and raises the flag. The worker runs no student code: it validates and replays answers.
 */

/** What the worker is started with. */
interface WorkerInput {
  readonly check: Lab5Check;
  readonly payload: string;
  readonly flag: SharedArrayBuffer;
  readonly port: MessagePort;
  /** Longest wait for one answer (the test's remaining time). */
  readonly waitMs: number;
}

/** Main thread to worker, per question. */
type BridgeReply = { readonly answers: unknown } | { readonly stopped: string };
/** Worker to main thread, once. */
type WorkerResult = { readonly outcome: Lab5Outcome } | { readonly stopped: string };

/** The main thread could not get an answer (the student process ended or ran out of time). */
class BridgeStopped extends Error {}

function workerMain(input: WorkerInput): void {
  const flag = new Int32Array(input.flag);
  const oracle = (q: ProtocolQuestion): unknown => {
    Atomics.store(flag, 0, 0);
    input.port.postMessage(q);
    if (Atomics.wait(flag, 0, 0, input.waitMs) === "timed-out") throw new BridgeStopped(`no answer within ${input.waitMs / 1000} s`);
    const reply = receiveMessageOnPort(input.port)?.message as BridgeReply | undefined;
    if (reply === undefined) throw new SessionAnswerError(q.faults, "no answer");
    if ("stopped" in reply) throw new BridgeStopped(reply.stopped);
    const a = reply.answers;
    if (!Array.isArray(a) || a.length !== 1)
      throw new SessionAnswerError(q.faults, `${Array.isArray(a) ? a.length : "no list of"} answers to 1 question`);
    return a[0];
  };
  let result: WorkerResult;
  try {
    result = { outcome: evaluateLab5(input.check, input.payload, oracle) };
  } catch (e) {
    result = { stopped: e instanceof Error ? e.message : String(e) };
  }
  parentPort?.postMessage(result);
}

/** Reads the worker's outcome: it is the grader's own code, but only plain, bounded fields are kept. */
function outcomeOf(raw: unknown): Lab5Outcome {
  const o = (raw ?? {}) as Record<string, unknown>;
  const failure = typeof o["failure"] === "string" ? o["failure"].slice(0, 8000) : undefined;
  const num = (k: string): number => (typeof o[k] === "number" && Number.isFinite(o[k]) ? o[k] : 0);
  return { failure, questions: num("questions"), ms: num("ms"), executions: num("executions") };
}

/**
 * A lab-5 session whose protocol is the definition `name` of the sandboxed notebook `proc`. Each
 * check runs in its own worker, ended when it answers, when an answer fails to come (the error is
 * the one the grader already handles: {@link AskTimeout}, or the process's end), or at `remainingMs()`.
 */
export function sandboxedLab5Session(proc: StudentProcess, name: string, remainingMs: () => number): Lab5Session {
  return {
    evaluate: (check, payload) =>
      new Promise<Lab5Outcome>((resolve, reject) => {
        const total = remainingMs();
        const deadline = Date.now() + total;
        const { port1, port2 } = new MessageChannel();
        const flag = new SharedArrayBuffer(4);
        const flagView = new Int32Array(flag);
        const worker = new Worker(path.join(PROJECT_ROOT, "dist", "kernel", "grading", "protocolWorker.js"), {
          workerData: { check, payload, flag, port: port2, waitMs: total } satisfies WorkerInput,
          transferList: [port2],
          resourceLimits: { maxOldGenerationSizeMb: 1024 },
        });
        let settled = false;
        const end = (): void => {
          settled = true;
          clearTimeout(timer);
          port1.close();
          void worker.terminate();
        };
        const timer = setTimeout(() => {
          if (settled) return;
          end();
          reject(new AskTimeout(total));
        }, total);
        port1.on("message", (q: ProtocolQuestion) => {
          proc.ask(name, [q], Math.max(1, deadline - Date.now())).then(
            (answers) => {
              if (settled) return;
              port1.postMessage({ answers } satisfies BridgeReply);
              Atomics.store(flagView, 0, 1);
              Atomics.notify(flagView, 0);
            },
            (e: unknown) => {
              if (settled) return;
              end();
              reject(e instanceof Error ? e : new Error(String(e)));
            },
          );
        });
        worker.on("message", (m: WorkerResult) => {
          if (settled) return;
          end();
          if ("outcome" in m) resolve(outcomeOf(m.outcome));
          else reject(new Error(`the lab's search stopped: ${m.stopped}`));
        });
        worker.on("error", (e) => {
          if (settled) return;
          end();
          reject(e);
        });
      }),
  };
}

if (parentPort && (workerData as Partial<WorkerInput> | undefined)?.flag instanceof SharedArrayBuffer)
  workerMain(workerData as WorkerInput);
