/**
 * A Dedalus program written by a student (a string in a notebook cell), joined with the files a lab
 * fixes (setup facts, invariants) and checked the way a grader needs: parse and check errors
 * located in the student's text (`broadcast.ded:3:7`) — locality included, the checker's own rule
 * (only `@async` moves data between nodes; without it a rule could "teleport" a tuple and pass
 * every fault-injection test for free) — and no redefinition of what the lab fixes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Program, Rule } from "../dedalus/ast";
import { sortDiagnostics, type Diagnostic } from "../dedalus/diagnostics";
import { loadChecked, reportDiagnostics } from "../dedalus/load";
import { PROTOCOLS_DIR } from "../protocols/corpus";

/** Diagnostics printed in a failure message; the rest are counted (a student fixes the first ones first). */
export const MAX_SHOWN_DIAGNOSTICS = 3;

/** What a lab fixes around the student's program. */
export interface StudentProgramSpec {
  /** The name the student's text gets in locations, e.g. `"broadcast.ded"`. */
  readonly file: string;
  /** Files (relative to `protocols/`) joined after the student's text: setup facts, invariants. */
  readonly fixedFiles: readonly string[];
  /** Relations the student may not define (rules or facts): the invariants and the setup's. */
  readonly fixedRelations: readonly string[];
}

/**
 * The joined program, or the located problems that stop a lab from running it. Both members name
 * every field so notebook cells can read them without narrowing (tslab compiles cells without
 * strict null checks, where `if (!x.ok)` does not narrow this union).
 */
export type StudentProgram =
  | { readonly ok: true; readonly program: Program; readonly rules: readonly Rule[]; readonly problems?: undefined }
  | { readonly ok: false; readonly problems: string; readonly program?: undefined; readonly rules?: undefined };

/**
 * Parses, checks and vets a student's program. Never throws for student mistakes: every problem
 * comes back as text with `file:line:col` and the offending source line.
 */
export function loadStudentProgram(source: unknown, spec: StudentProgramSpec): StudentProgram {
  if (typeof source !== "string")
    return {
      ok: false,
      problems: `expected a string holding your Dedalus program, got ${source === undefined ? "undefined" : typeof source}`,
    };
  const fixed = spec.fixedFiles.map((f) => ({ file: f, text: fs.readFileSync(path.join(PROTOCOLS_DIR, f), "utf8") }));
  const checked = loadChecked([{ file: spec.file, text: source }, ...fixed]);
  const { program } = checked;
  const show = (ds: Diagnostic[]): string => reportDiagnostics(sortDiagnostics(ds), program, MAX_SHOWN_DIAGNOSTICS);
  if (checked.errors.length > 0) return { ok: false, problems: show(checked.errors) };

  const mine = (s: { span: { file: string } }): boolean => s.span.file === spec.file;
  const rules = program.rules.filter(mine);
  const own: Diagnostic[] = [];
  const fixedSet = new Set(spec.fixedRelations);
  for (const r of rules) {
    if (fixedSet.has(r.head.rel))
      own.push({
        code: "lab-fixed-relation",
        severity: "error",
        message: `\`${r.head.rel}\` is fixed by the lab; derive your own relations instead`,
        span: r.head.relSpan,
      });
  }
  for (const f of program.facts.filter(mine)) {
    if (fixedSet.has(f.rel))
      own.push({
        code: "lab-fixed-relation",
        severity: "error",
        message: `\`${f.rel}\` is fixed by the lab's setup; do not add facts to it`,
        span: f.relSpan,
      });
  }
  if (own.length > 0) return { ok: false, problems: show(own) };
  return { ok: true, program, rules };
}
