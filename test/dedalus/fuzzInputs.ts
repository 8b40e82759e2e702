/**
 * Input generators for fuzzing the Dedalus front end. Three families, each from a seeded Random so a
 * failure is replayed from its seed:
 * - token soup: random sequences of Dedalus tokens and near-tokens (unterminated strings and
 *   comments, huge integers, stray characters);
 * - grammar programs: mostly well-formed programs over a few small relations, with the mistakes the
 *   checker must catch (arity and type clashes, unsafe variables, negative cycles, bad times,
 *   aggregates in odd places, reserved names, crash misuse);
 * - mutants: a real program with characters or whole slices deleted, duplicated, swapped or replaced.
 */
import { Random } from "../../lib/random/random";

const SOUP_TOKENS: readonly string[] = [
  "p",
  "q",
  "node",
  "log",
  "crash",
  "clock",
  "x_vars",
  "y_prov3",
  "X",
  "Y",
  "Z",
  "Node",
  "_",
  "0",
  "1",
  "42",
  "99999999999999999999999",
  '"a"',
  '"b c"',
  '"',
  '"unterminated',
  "(",
  ")",
  ",",
  ";",
  ":-",
  ":",
  "-",
  "@",
  "@next",
  "@async",
  "@1",
  "@0",
  "next",
  "async",
  "notin",
  "include",
  '"x.ded"',
  "count",
  "sum",
  "min",
  "max",
  "avg",
  "<",
  ">",
  "<=",
  ">=",
  "==",
  "!=",
  "=",
  "!",
  "+",
  "*",
  "/",
  "/*",
  "*/",
  "//",
  "\n",
  " ",
  "\t",
  "\r\n",
  "#",
  "$",
  "é",
  "\u0000",
  "{",
  "}",
  "[",
  "]",
  ".",
];

/** A random sequence of tokens and near-tokens. */
export function tokenSoup(rng: Random): string {
  const n = rng.int(0, 60);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    parts.push(rng.pick(SOUP_TOKENS));
    if (rng.chance(0.5)) parts.push(" ");
  }
  return parts.join("");
}

const RELS: readonly string[] = ["p", "q", "r", "s", "log", "node", "crash", "clock", "t_vars"];
const VARS: readonly string[] = ["X", "Y", "Z", "N", "V"];
const CONSTS: readonly string[] = ['"a"', '"b"', '"c"', "0", "1", "7"];

function term(rng: Random, depth = 0): string {
  const k = rng.int(0, 9);
  if (k < 5) return rng.pick(VARS);
  if (k < 7) return rng.pick(CONSTS);
  if (k < 8) return "_";
  if (depth > 1) return rng.pick(VARS);
  return `${term(rng, depth + 1)} ${rng.pick(["+", "-", "*", "/"])} ${term(rng, depth + 1)}`;
}

function atom(rng: Random, head: boolean): string {
  const arity = rng.int(rng.chance(0.05) ? 0 : 1, 3);
  const args: string[] = [];
  for (let i = 0; i < arity; i++) {
    if (head && rng.chance(0.1)) args.push(`${rng.pick(["count", "sum", "min", "max", "avg", "median"])}<${rng.pick(VARS)}>`);
    else args.push(term(rng));
  }
  return `${rng.pick(RELS)}(${args.join(", ")})`;
}

function fact(rng: Random): string {
  const arity = rng.int(1, 3);
  const args = Array.from({ length: arity }, () => (rng.chance(0.9) ? rng.pick(CONSTS) : term(rng)));
  const time = rng.chance(0.9) ? `@${rng.int(0, 4)}` : rng.chance(0.5) ? "@next" : "";
  return `${rng.pick(RELS)}(${args.join(", ")})${time};`;
}

function rule(rng: Random): string {
  const suffix = rng.pick(["", "", "@next", "@async", "@2", ""]);
  const body: string[] = [];
  const n = rng.int(rng.chance(0.05) ? 0 : 1, 4);
  for (let i = 0; i < n; i++) {
    const k = rng.int(0, 9);
    if (k < 6)
      body.push(`${rng.chance(0.25) ? "notin " : ""}${atom(rng, false)}${rng.chance(0.1) ? rng.pick(["@1", "@next", "@async"]) : ""}`);
    else body.push(`${term(rng)} ${rng.pick(["==", "!=", "<", ">", "<=", ">="])} ${term(rng)}`);
  }
  return `${atom(rng, true)}${suffix} :- ${body.join(", ")};`;
}

/** A program of random facts and rules (many ill-formed in ways only the checker notices). */
export function grammarProgram(rng: Random): string {
  const n = rng.int(1, 12);
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = rng.int(0, 19);
    if (k < 7) lines.push(fact(rng));
    else if (k < 18) lines.push(rule(rng));
    else if (k < 19) lines.push(`include "${rng.pick(["nope.ded", "", "../x"])}";`);
    else lines.push(rng.chance(0.5) ? "// a comment" : "/* block */");
  }
  return lines.join(rng.chance(0.9) ? "\n" : " ");
}

/** A random edit of `text`: deletions, duplications, swaps, replacements, truncation. */
export function mutate(rng: Random, text: string): string {
  let s = text;
  const edits = rng.int(1, 6);
  for (let e = 0; e < edits; e++) {
    if (s.length === 0) break;
    const i = rng.int(0, s.length - 1);
    const j = Math.min(s.length, i + rng.int(1, 40));
    switch (rng.int(0, 5)) {
      case 0:
        s = s.slice(0, i) + s.slice(j); // delete a slice
        break;
      case 1:
        s = s.slice(0, j) + s.slice(i, j) + s.slice(j); // duplicate a slice
        break;
      case 2: {
        const k = rng.int(0, s.length - 1); // swap two characters
        const a = s.split("");
        [a[i], a[k]] = [a[k] as string, a[i] as string];
        s = a.join("");
        break;
      }
      case 3:
        s = s.slice(0, i) + rng.pick(SOUP_TOKENS) + s.slice(i + 1); // replace one character
        break;
      case 4:
        s = s.slice(0, i); // truncate
        break;
      default:
        s = s.slice(0, i) + rng.pick(SOUP_TOKENS) + s.slice(i); // insert a token
    }
  }
  return s;
}
