/**
 * The Dedalus lexer: source text to tokens with spans. Problems (an unterminated string or comment, a
 * stray character) become diagnostics and the lexer keeps going, so the parser sees the rest of the file.
 */
import type { Span } from "./ast";
import { error, type Diagnostic } from "./diagnostics";

/** Token kinds. `ident` starts lower-case, `var` upper-case (or `_` followed by more characters). */
export type TokenKind =
  | "ident"
  | "var"
  | "wildcard"
  | "string"
  | "int"
  | "("
  | ")"
  | ","
  | ";"
  | ":-"
  | "@"
  | "=="
  | "!="
  | "<"
  | ">"
  | "<="
  | ">="
  | "+"
  | "-"
  | "*"
  | "/"
  | "eof";

/** One token. `text` is the raw source; `value` is the decoded literal for strings and integers. */
export interface Token {
  kind: TokenKind;
  text: string;
  value: string | number | null;
  span: Span;
}

const PUNCT2 = new Set([":-", "==", "!=", "<=", ">="]);
const PUNCT1 = new Set(["(", ")", ",", ";", "@", "<", ">", "+", "-", "*", "/"]);

/**
 * Lexical diagnostics kept per file (the parser stops at the same count): a megabyte of stray
 * characters must not become a million diagnostics.
 */
const MAX_LEXICAL_DIAGNOSTICS = 50;

/** The longest run of unknown characters quoted in a `bad-character` message. */
const MAX_QUOTED_CHARACTERS = 20;

/** Splits one file into tokens (always ending with `eof`), appending lexical diagnostics to `out` (at most {@link MAX_LEXICAL_DIAGNOSTICS}). */
export function tokenize(file: string, text: string, out: Diagnostic[]): Token[] {
  let reported = 0;
  const diagnostics = {
    push(d: Diagnostic): void {
      if (reported++ < MAX_LEXICAL_DIAGNOSTICS) out.push(d);
    },
  };
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const n = text.length;
  const span = (start: number, end: number, l = line, ls = lineStart): Span => ({ file, start, end, line: l, col: start - ls + 1 });
  // Advances over [i, to) keeping line/lineStart right (comments and strings may not contain newlines, but /* */ can).
  const advance = (to: number): void => {
    for (let k = i; k < to; k++) {
      if (text.charCodeAt(k) === 10) {
        line++;
        lineStart = k + 1;
      }
    }
    i = to;
  };
  while (i < n) {
    const c = text[i]!;
    if (c === " " || c === "\t" || c === "\r" || c === "\n" || c === "\f" || c === "\v") {
      advance(i + 1);
      continue;
    }
    if (c === "/" && text[i + 1] === "/") {
      const end = text.indexOf("\n", i);
      advance(end < 0 ? n : end);
      continue;
    }
    if (c === "/" && text[i + 1] === "*") {
      const close = text.indexOf("*/", i + 2);
      if (close < 0) {
        diagnostics.push(error("unterminated-comment", "unterminated comment: expected '*/' before the end of the file", span(i, i + 2)));
        advance(n);
        break;
      }
      advance(close + 2);
      continue;
    }
    const start = i;
    if (c === '"') {
      let k = i + 1;
      while (k < n && text[k] !== '"' && text[k] !== "\n") k++;
      if (k >= n || text[k] !== '"') {
        diagnostics.push(error("unterminated-string", "unterminated string: expected a closing '\"' on the same line", span(start, k)));
        tokens.push({ kind: "string", text: text.slice(start, k), value: text.slice(start + 1, k), span: span(start, k) });
        advance(k);
        continue;
      }
      tokens.push({ kind: "string", text: text.slice(start, k + 1), value: text.slice(start + 1, k), span: span(start, k + 1) });
      advance(k + 1);
      continue;
    }
    if (c >= "0" && c <= "9") {
      let k = i + 1;
      while (k < n && text[k]! >= "0" && text[k]! <= "9") k++;
      const raw = text.slice(start, k);
      let value = Number(raw);
      if (!Number.isSafeInteger(value)) {
        diagnostics.push(
          error("integer-too-large", `integer ${raw} is too large (the largest is ${Number.MAX_SAFE_INTEGER})`, span(start, k)),
        );
        value = 0;
      }
      tokens.push({ kind: "int", text: raw, value, span: span(start, k) });
      advance(k);
      continue;
    }
    if (isIdentStart(c)) {
      let k = i + 1;
      while (k < n && isIdentPart(text[k]!)) k++;
      const word = text.slice(start, k);
      const kind: TokenKind = word === "_" ? "wildcard" : c === "_" || (c >= "A" && c <= "Z") ? "var" : "ident";
      tokens.push({ kind, text: word, value: null, span: span(start, k) });
      advance(k);
      continue;
    }
    const two = text.slice(i, i + 2);
    if (PUNCT2.has(two)) {
      tokens.push({ kind: two as TokenKind, text: two, value: null, span: span(start, i + 2) });
      advance(i + 2);
      continue;
    }
    if (PUNCT1.has(c)) {
      tokens.push({ kind: c as TokenKind, text: c, value: null, span: span(start, i + 1) });
      advance(i + 1);
      continue;
    }
    // Skip a run of unknown characters as one problem, not one per character.
    let k = i + 1;
    while (k < n && !isIdentStart(text[k]!) && !/[\s"0-9();,@<>=!+\-*/:]/.test(text[k]!)) k++;
    const bad = k - start > MAX_QUOTED_CHARACTERS ? `${text.slice(start, start + MAX_QUOTED_CHARACTERS)}...` : text.slice(start, k);
    diagnostics.push(error("bad-character", `unexpected character '${bad}'`, span(start, k)));
    advance(k);
  }
  tokens.push({ kind: "eof", text: "", value: null, span: span(n, n) });
  return tokens;
}

function isIdentStart(c: string): boolean {
  return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_";
}

function isIdentPart(c: string): boolean {
  return isIdentStart(c) || (c >= "0" && c <= "9");
}
