import { LABS } from "../../lib/labs/registry";
import { runLab, type GradeEvent } from "../../lib/labs/runLab";
import type { StudentScope } from "../../lib/labs/labContract";

/**
 * The clean process that evaluates a lab whose answer is data (labs 2–4: Dedalus text, a fault
 * set). It runs no student code: the parent hands it the definitions it took from the student's
 * process, already validated, and reads each test's start and result from here, so a check that
 * runs away (a program with a huge fault space) is stopped by the parent's deadline.
 */

/** Parent to checker: what to evaluate. */
export interface CheckRequest {
  readonly lab: string;
  readonly scope: StudentScope;
  readonly seed: number;
  readonly skip: readonly string[];
}

/** Checker to parent: each test's start and result, then the end. */
export type CheckerMessage = GradeEvent | { readonly event: "done" };

function main(): void {
  process.once("message", (raw: unknown) => {
    const req = raw as CheckRequest;
    const lab = LABS[req.lab];
    if (!lab) {
      process.send?.({ event: "done" } satisfies CheckerMessage);
      return;
    }
    void runLab(lab, req.scope, {
      context: { seed: req.seed },
      skip: new Set(req.skip),
      onEvent: (e) => process.send?.(e satisfies CheckerMessage),
    }).then(() => {
      process.send?.({ event: "done" } satisfies CheckerMessage, () => process.disconnect?.());
    });
  });
}

if (require.main === module) main();
