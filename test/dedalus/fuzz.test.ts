/**
 * Fuzz: random and mutated inputs to the parser, the checker, the warnings and the CALM analysis.
 * Nothing may throw; every diagnostic must be well-formed (known code, located inside its source with
 * a line:col that matches its offset); no input may take long. 10^4 inputs under CI, fewer locally.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Program } from "../../lib/dedalus/ast";
import { analyzeCalm } from "../../lib/dedalus/calm";
import { checkProgram } from "../../lib/dedalus/check";
import { DIAGNOSTIC_CODES, formatDiagnostic, type Diagnostic } from "../../lib/dedalus/diagnostics";
import { parseSource } from "../../lib/dedalus/load";
import { WARNING_CODES, checkWarnings } from "../../lib/dedalus/warnings";
import { Random } from "../../lib/random/random";
import { grammarProgram, mutate, tokenSoup } from "./fuzzInputs";

/** Inputs per family: 3 families, so ~10^4 in CI; a quick tenth locally. */
const PER_FAMILY = process.env["CI"] ? 3400 : 250;
/**
 * One front-end pass over a few hundred characters takes about a millisecond; five seconds means a
 * hang (generous because CI machines run other suites alongside and GC pauses happen).
 */
const MAX_MS_PER_INPUT = 5000;
const FILE = "fuzz.ded";
const KNOWN_CODES = new Set<string>([...Object.keys(DIAGNOSTIC_CODES), ...Object.keys(WARNING_CODES)]);

const corpus = (() => {
  const dir = path.join(__dirname, "..", "..", "protocols", "golden");
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".ded"))
    .sort()
    .map((f) => fs.readFileSync(path.join(dir, f), "utf8"));
})();

/** Line and column (1-based) of an offset, counted the plain way: every character is one column. */
function lineCol(text: string, offset: number): [number, number] {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return [line, offset - (before.lastIndexOf("\n") + 1) + 1];
}

function validate(text: string, diags: Diagnostic[], program: Program): string | null {
  for (const d of diags) {
    if (!KNOWN_CODES.has(d.code)) return `unknown code ${d.code}`;
    if (d.severity !== "error" && d.severity !== "warning") return `bad severity ${String(d.severity)}`;
    if (typeof d.message !== "string" || d.message.length === 0) return `empty message (${d.code})`;
    for (const s of [d.span, ...(d.related ?? []).map((r) => r.span)]) {
      if (!s || s.file !== FILE) continue;
      if (!(s.start >= 0 && s.start <= s.end && s.end <= text.length)) return `span out of bounds ${JSON.stringify(s)} (${d.code})`;
      const [line, col] = lineCol(text, s.start);
      if (s.line !== line || s.col !== col) return `span line:col ${s.line}:${s.col} but offset ${s.start} is ${line}:${col} (${d.code})`;
    }
    formatDiagnostic(d, program.sources);
  }
  return null;
}

/** Runs the whole front end on one input; returns a problem description or null. */
function frontEnd(text: string): string | null {
  const t0 = performance.now();
  try {
    const { program, diagnostics } = parseSource(text, FILE);
    const checked = checkProgram(program).diagnostics;
    const warnings = checkWarnings(program);
    analyzeCalm(program);
    const bad = validate(text, [...diagnostics, ...checked, ...warnings], program);
    if (bad) return bad;
  } catch (e) {
    return `threw ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
  }
  const ms = performance.now() - t0;
  return ms > MAX_MS_PER_INPUT ? `took ${ms.toFixed(0)} ms` : null;
}

function fuzz(family: string, seed: number, gen: (rng: Random) => string): void {
  const rng = new Random(seed);
  const failures: string[] = [];
  for (let i = 0; i < PER_FAMILY && failures.length < 5; i++) {
    const input = gen(rng);
    const problem = frontEnd(input);
    if (problem) failures.push(`${family} seed ${seed} #${i}: ${problem}\n--- input ---\n${input}\n---`);
  }
  expect(failures).toEqual([]);
}

describe("fuzzing the front end", () => {
  test("token soup", () => fuzz("soup", 1, tokenSoup));
  test("random grammar programs (checker errors of every kind)", () => fuzz("grammar", 2, grammarProgram));
  test("mutants of the golden corpus", () => fuzz("mutant", 3, (rng) => mutate(rng, rng.pick(corpus))));

  test("the generators reach the checker: many grammar programs parse cleanly and still have checker errors", () => {
    const rng = new Random(4);
    const codes = new Set<string>();
    let clean = 0;
    for (let i = 0; i < 400; i++) {
      const { program, diagnostics } = parseSource(grammarProgram(rng), FILE);
      if (diagnostics.length > 0) continue;
      clean++;
      for (const d of checkProgram(program).diagnostics) codes.add(d.code);
    }
    expect(clean).toBeGreaterThan(40);
    for (const c of ["arity", "unsafe-variable", "reserved-name"]) expect(codes).toContain(c);
  });

  test("pathological sizes stay fast: deep arithmetic, long bodies, many statements", () => {
    const deep = `p("a", ${"(".repeat(2000)}1${")".repeat(2000)})@1;`;
    const long = `p("a", 1)@1;\nq(X) :- ${Array.from({ length: 500 }, (_, i) => `p(X, V${i})`).join(", ")};`;
    const many = Array.from({ length: 5000 }, (_, i) => `r${i % 50}("n", ${i})@1;`).join("\n");
    const unclosed = "/*" + "x".repeat(100_000);
    for (const text of [deep, long, many, unclosed]) expect(frontEnd(text)).toBeNull();
  });
});
