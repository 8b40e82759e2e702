/**
 * The Dedalus parser: recursive descent over the tokens of one file. It never throws on bad input: each
 * problem becomes a diagnostic saying what was expected and what was found, and the parser skips to the
 * next `;` to keep reporting errors in the statements that follow.
 *
 * Grammar (DESIGN.md section 5):
 * ```
 * program   := statement*
 * statement := 'include' STRING ';' | head ';' | head ':-' body ';'
 * head      := IDENT '(' [headArg (',' headArg)*] ')' ['@' ('next' | 'async' | INT)]
 * headArg   := AGG '<' VAR '>' | expr
 * body      := item (',' item)*
 * item      := ['notin'] IDENT '(' [expr (',' expr)*] ')' ['@' INT] | expr CMP expr
 * expr      := mul (('+' | '-') mul)* ;  mul := primary (('*' | '/') primary)*
 * primary   := VAR | '_' | STRING | INT | '-' INT | '(' expr ')'
 * ```
 * `'-' INT` is a negative integer literal only where a primary is expected and only when the `-` touches
 * the digits (`-1`); after an operand a `-` is always subtraction, so `A-1` and `A -1` are `A - 1` and
 * `A - -1` subtracts minus one. DESIGN.md section 5 allows only non-negative constants; Molly's programs
 * and their users write `N > -1` and facts with `-1`, so the parser accepts them (README: semantics notes).
 */
import {
  formatRule,
  type AggregateFn,
  type BodyItem,
  type CompareOp,
  type FactStatement,
  type Head,
  type HeadTerm,
  type Rule,
  type Span,
  type Statement,
  type Term,
  type Value,
} from "./ast";
import { error, type Diagnostic, type DiagnosticCode } from "./diagnostics";
import { tokenize, type Token, type TokenKind } from "./lexer";

const AGGREGATES: ReadonlySet<string> = new Set<AggregateFn>(["count", "sum", "min", "max", "avg"]);
const COMPARE_OPS: ReadonlySet<string> = new Set<CompareOp>(["==", "!=", "<", ">", "<=", ">="]);

/**
 * Parsing stops after this many diagnostics in one file: past it, later errors are almost always echoes
 * of earlier ones and the output stops being useful (and a fuzzed input cannot produce unbounded output).
 */
export const MAX_PARSE_DIAGNOSTICS = 50;

/**
 * The deepest expression accepted: parentheses nested, and operators chained (`A + 1 + 1 ...` is a
 * left-deep tree), at most this many levels. The parser, the checker, the planner and the generated
 * join code all recurse over expressions; at 2,500 levels the generated code already overflows the
 * stack, at 1,000 every stage has room to spare, and no program needs more than a handful.
 */
export const MAX_EXPRESSION_DEPTH = 1000;

/** Raised inside the parser to unwind to the statement loop; never escapes {@link parseFile}. */
class SyntaxStop extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message);
  }
}

/** The result of parsing one file: its statements (rule indexes are file-local) and its diagnostics. */
export interface ParsedFile {
  statements: Statement[];
  diagnostics: Diagnostic[];
}

function describe(t: Token): string {
  switch (t.kind) {
    case "eof":
      return "the end of the file";
    case "string":
      return `string ${t.text}`;
    case "int":
      return `integer ${t.text}`;
    case "ident":
    case "var":
      return `'${t.text}'`;
    default:
      return `'${t.text}'`;
  }
}

function join(a: Span, b: Span): Span {
  return { file: a.file, start: a.start, end: Math.max(a.end, b.end), line: a.line, col: a.col };
}

/** Parses one file. Never throws for any input text. */
export function parseFile(file: string, text: string): ParsedFile {
  const diagnostics: Diagnostic[] = [];
  const tokens = tokenize(file, text, diagnostics);
  let pos = 0;
  const statements: Statement[] = [];
  let ruleIndex = 0;

  const peek = (k = 0): Token => tokens[Math.min(pos + k, tokens.length - 1)]!;
  const next = (): Token => {
    const t = peek();
    if (t.kind !== "eof") pos++;
    return t;
  };
  const fail = (what: string, at: Token = peek(), code: DiagnosticCode = "syntax"): never => {
    throw new SyntaxStop(error(code, `expected ${what}, found ${describe(at)}`, at.span));
  };
  const tooDeep = (at: Token): never => {
    throw new SyntaxStop(
      error(
        "nested-too-deeply",
        `expression nested too deeply: more than ${MAX_EXPRESSION_DEPTH} levels of parentheses or operators`,
        at.span,
      ),
    );
  };
  /** Parentheses open around the expression being parsed (the parser's own recursion depth). */
  let nesting = 0;
  /** Depth of each binary term built (leaves are depth 1), so a long operator chain is bounded too. */
  const depths = new Map<Term, number>();
  const depthOf = (t: Term): number => depths.get(t) ?? 1;
  const binary = (op: "+" | "-" | "*" | "/", left: Term, right: Term, at: Token): Term => {
    const depth = 1 + Math.max(depthOf(left), depthOf(right));
    if (depth > MAX_EXPRESSION_DEPTH) tooDeep(at);
    const t: Term = { kind: "binary", op, left, right, span: join(left.span, right.span) };
    depths.set(t, depth);
    return t;
  };
  const expect = (kind: TokenKind, what: string): Token => {
    const t = peek();
    if (t.kind !== kind) fail(what);
    return next();
  };

  function parsePrimary(): Term {
    const t = peek();
    switch (t.kind) {
      case "var":
        next();
        return { kind: "var", name: t.text, span: t.span };
      case "wildcard":
        next();
        return { kind: "wildcard", span: t.span };
      case "string":
      case "int":
        next();
        return { kind: "const", value: t.value as Value, span: t.span };
      case "-": {
        const digits = peek(1);
        if (digits.kind !== "int" || digits.span.start !== t.span.end) {
          return fail("a variable, '_', a string or an integer (a negative integer is written -N, the '-' touching the digits)");
        }
        next();
        next();
        // -0 is 0: Dedalus integers have no negative zero.
        const value = digits.value === 0 ? 0 : -(digits.value as number);
        return { kind: "const", value, span: join(t.span, digits.span) };
      }
      case "(": {
        if (nesting >= MAX_EXPRESSION_DEPTH) tooDeep(t);
        next();
        nesting++;
        const inner = parseExpr();
        nesting--;
        const close = expect(")", "')' to close the parenthesised expression");
        const wrapped = { ...inner, span: join(t.span, close.span) };
        if (depths.has(inner)) depths.set(wrapped, depthOf(inner));
        return wrapped;
      }
      case "ident":
        return fail("a variable (upper-case), '_', a string or an integer (lower-case names are relations)");
      default:
        return fail("a variable, '_', a string or an integer");
    }
  }

  function parseMul(): Term {
    let left = parsePrimary();
    while (peek().kind === "*" || peek().kind === "/") {
      const opToken = next();
      const right = parsePrimary();
      left = binary(opToken.kind as "*" | "/", left, right, opToken);
    }
    return left;
  }

  function parseExpr(): Term {
    let left = parseMul();
    while (peek().kind === "+" || peek().kind === "-") {
      const opToken = next();
      const right = parseMul();
      left = binary(opToken.kind as "+" | "-", left, right, opToken);
    }
    return left;
  }

  function parseHeadArg(): HeadTerm {
    const t = peek();
    if (t.kind === "ident" && peek(1).kind === "<") {
      if (!AGGREGATES.has(t.text)) fail("an aggregate function (count, sum, min, max or avg)", t, "aggregate");
      next();
      next();
      const v = peek();
      if (v.kind !== "var") fail(`a variable inside ${t.text}<...>`, v, "aggregate");
      next();
      const close = expect(">", `'>' to close ${t.text}<${v.text}`);
      return {
        kind: "aggregate",
        fn: t.text as AggregateFn,
        variable: { kind: "var", name: v.text, span: v.span },
        span: join(t.span, close.span),
      };
    }
    return parseExpr();
  }

  /** `name(args)`: returns the name token, the args, and the closing parenthesis. */
  function parseAtomShape<A>(parseArg: () => A, context: string): { name: Token; args: A[]; close: Token } {
    const name = peek();
    if (name.kind !== "ident") {
      if (name.kind === "var") fail(`a relation name (relation names start with a lower-case letter) ${context}`);
      fail(`a relation name ${context}`);
    }
    next();
    expect("(", `'(' after relation name '${name.text}'`);
    const args: A[] = [];
    if (peek().kind !== ")") {
      for (;;) {
        args.push(parseArg());
        if (peek().kind === ",") {
          next();
          continue;
        }
        if (peek().kind === ")") break;
        fail(`',' or ')' in the arguments of '${name.text}'`);
      }
    }
    const close = next();
    return { name, args, close };
  }

  /** `@next`, `@async` or `@N` after an atom, if present. */
  function parseTimeSuffix(): { time: "next" | "async" | number; span: Span } | null {
    if (peek().kind !== "@") return null;
    const at = next();
    const t = peek();
    if (t.kind === "int") {
      next();
      return { time: t.value as number, span: join(at.span, t.span) };
    }
    if (t.kind === "ident" && (t.text === "next" || t.text === "async")) {
      next();
      return { time: t.text, span: join(at.span, t.span) };
    }
    return fail("'next', 'async' or a timestep number after '@'");
  }

  function parseBodyItem(): BodyItem {
    const t = peek();
    const negated = t.kind === "ident" && t.text === "notin" && peek(1).kind === "ident";
    if (negated || (t.kind === "ident" && peek(1).kind === "(")) {
      if (negated) next();
      const { name, args, close } = parseAtomShape(parseExpr, negated ? "after 'notin'" : "");
      let end = close.span;
      let time: number | null = null;
      const suffix = parseTimeSuffix();
      if (suffix) {
        end = suffix.span;
        if (typeof suffix.time === "number") time = suffix.time;
        else diagnostics.push(error("body-time", `a body atom cannot carry @${suffix.time} (only @N, an absolute timestep)`, suffix.span));
      }
      return { kind: "atom", rel: name.text, args, negated, time, span: join(negated ? t.span : name.span, end), relSpan: name.span };
    }
    if (t.kind === "ident") fail(`'(' after relation name '${t.text}'`, peek(1));
    const left = parseExpr();
    const op = peek();
    if (!COMPARE_OPS.has(op.kind)) fail("a comparison operator (==, !=, <, >, <=, >=) after the expression");
    next();
    const right = parseExpr();
    return { kind: "compare", op: op.kind as CompareOp, left, right, span: join(left.span, right.span) };
  }

  function parseStatement(): Statement | null {
    const first = peek();
    if (first.kind === "ident" && first.text === "include" && peek(1).kind === "string") {
      next();
      const path = next();
      const semi = expect(";", "';' after the include path");
      return { kind: "include", path: path.value as string, resolved: null, span: join(first.span, semi.span) };
    }
    if (first.kind === "ident" && first.text === "notin") fail("a fact or a rule head (notin is only allowed in rule bodies)");
    const { name, args, close } = parseAtomShape(parseHeadArg, "at the start of a fact or rule");
    const suffix = parseTimeSuffix();
    const headEnd = suffix ? suffix.span : close.span;
    const after = peek();
    if (after.kind === ";") {
      next();
      return finishFact(name, args, suffix, join(first.span, after.span));
    }
    if (after.kind !== ":-")
      fail(suffix ? "';' to end the fact or ':-' to start a rule body" : "'@N;' to end a fact or ':-' to start a rule body");
    next();
    const body: BodyItem[] = [parseBodyItem()];
    while (peek().kind === ",") {
      next();
      body.push(parseBodyItem());
    }
    if (peek().kind !== ";") fail("',' or ';' after a body item");
    const semi = next();
    let time: Head["time"] = "same";
    if (suffix) {
      if (typeof suffix.time === "number") {
        diagnostics.push(error("head-time", `a rule head cannot carry @${suffix.time}: use @next or @async (facts carry @N)`, suffix.span));
      } else time = suffix.time;
    }
    const head: Head = { rel: name.text, args, time, span: join(name.span, headEnd), relSpan: name.span };
    const rule: Rule = { kind: "rule", index: ruleIndex++, head, body, span: join(first.span, semi.span), text: "" };
    rule.text = formatRule(rule);
    return rule;
  }

  function finishFact(name: Token, args: HeadTerm[], suffix: ReturnType<typeof parseTimeSuffix>, span: Span): FactStatement | null {
    const values: Value[] = [];
    let ok = true;
    for (const a of args) {
      if (a.kind === "const") values.push(a.value);
      else {
        ok = false;
        diagnostics.push(
          error(
            "fact-not-ground",
            `a fact's arguments must be constants (a string or an integer); '${name.text}' has a ${a.kind === "var" ? "variable" : a.kind === "wildcard" ? "wildcard" : a.kind === "aggregate" ? "aggregate" : "expression"} here (did you forget ':-' and a body?)`,
            a.span,
          ),
        );
      }
    }
    if (!suffix) {
      diagnostics.push(error("fact-without-time", `fact '${name.text}' needs a timestep: write ${name.text}(...)@1;`, name.span));
      return null;
    }
    if (typeof suffix.time !== "number") {
      diagnostics.push(
        error(
          "fact-without-time",
          `a fact holds at an absolute timestep @N, not @${suffix.time}; a rule needs ':-' and a body`,
          suffix.span,
        ),
      );
      return null;
    }
    if (!ok) return null;
    return { kind: "fact", rel: name.text, args: values, time: suffix.time, span, relSpan: name.span, argSpans: args.map((a) => a.span) };
  }

  while (peek().kind !== "eof" && diagnostics.length < MAX_PARSE_DIAGNOSTICS) {
    const before = pos;
    try {
      const s = parseStatement();
      if (s) statements.push(s);
    } catch (e) {
      if (!(e instanceof SyntaxStop)) throw e;
      diagnostics.push(e.diagnostic);
      // A nesting error was raised deep inside; the parentheses it left open are skipped below.
      nesting = 0;
      // Recover: skip to just after the next ';' (always make progress).
      while (peek().kind !== "eof" && peek().kind !== ";") next();
      if (peek().kind === ";") next();
      if (pos === before) next();
    }
  }
  return { statements, diagnostics };
}
