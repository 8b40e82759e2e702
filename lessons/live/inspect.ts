/**
 * Node's `util.inspect` and `util.format`, as the live runtime needs them: a cell that prints a
 * value in the browser must show the text the headless Node run showed (the static page holds
 * that text, and the browser test compares the two). This reimplements Node's default layout
 * (depth 2, breakLength 80, compact 3, arrays grouped in columns past six short entries, at most
 * 100 entries) for the values lessons print: primitives, arrays, plain and class objects, Map, Set,
 * functions, dates, regular expressions and errors. test/site/inspect.test.ts checks it against
 * Node's own on random values.
 */

/** Node's defaults for console output. */
const DEPTH = 2;
const BREAK_LENGTH = 80;
const COMPACT = 3;
const MAX_ARRAY_LENGTH = 100;
const MAX_STRING_LENGTH = 10_000;
/** Strings shorter than this are never split at their newlines. */
const MIN_LINE_WIDTH = 16;

interface Ctx {
  indentation: number;
  /** Depth of the last object whose entries were laid out (Node's `currentDepth`). */
  currentDepth: number;
  seen: object[];
  circular: Map<object, number> | undefined;
}

const IDENTIFIER_KEY = /^[a-zA-Z_][a-zA-Z_0-9]*$/;

function escapeChar(code: number): string {
  switch (code) {
    case 8:
      return "\\b";
    case 9:
      return "\\t";
    case 10:
      return "\\n";
    case 12:
      return "\\f";
    case 13:
      return "\\r";
    default:
      return "\\x" + code.toString(16).toUpperCase().padStart(2, "0");
  }
}

/** Quotes a string as Node does: single quotes, else double, else backticks, whichever needs no escape. */
function quote(s: string): string {
  let q = "'";
  if (s.includes("'")) {
    if (!s.includes('"')) q = '"';
    else if (!s.includes("`") && !s.includes("${")) q = "`";
  }
  let out = q;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i]!;
    if (ch === q || ch === "\\") out += "\\" + ch;
    else if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) out += c === 11 ? "\\x0B" : escapeChar(c);
    else out += ch;
  }
  return out + q;
}

function formatString(ctx: Ctx, s: string): string {
  let trailer = "";
  if (s.length > MAX_STRING_LENGTH) {
    const remaining = s.length - MAX_STRING_LENGTH;
    s = s.slice(0, MAX_STRING_LENGTH);
    trailer = `... ${remaining} more character${remaining > 1 ? "s" : ""}`;
  }
  if (s.length > MIN_LINE_WIDTH && s.length > BREAK_LENGTH - ctx.indentation - 4) {
    const lines = s.split(/(?<=\n)/);
    return lines.map(quote).join(` +\n${" ".repeat(ctx.indentation + 2)}`) + trailer;
  }
  return quote(s) + trailer;
}

function formatPrimitive(ctx: Ctx, v: unknown): string {
  switch (typeof v) {
    case "string":
      return formatString(ctx, v);
    case "number":
      return Object.is(v, -0) ? "-0" : String(v);
    case "bigint":
      return `${v}n`;
    case "symbol":
      return v.toString();
    case "undefined":
      return "undefined";
    default:
      return String(v);
  }
}

/** The constructor name Node prints before braces, or null for a null-prototype object. */
function constructorName(v: object): string | null {
  let proto: unknown = Object.getPrototypeOf(v);
  while (proto !== null && proto !== undefined) {
    const desc = Object.getOwnPropertyDescriptor(proto, "constructor");
    const ctor: unknown = desc?.value;
    if (typeof ctor === "function" && ctor.name !== "") return ctor.name;
    proto = Object.getPrototypeOf(proto);
  }
  return null;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- it describes any function value, as util.inspect does
function functionBase(f: Function, ctor: string | null): string {
  const src = Function.prototype.toString.call(f);
  if (src.startsWith("class") && /^class\s*[\s{A-Za-z_$]/.test(src)) {
    const name = f.name ? `class ${f.name}` : "class (anonymous)";
    const parent = Object.getPrototypeOf(f) as { name?: string } | null;
    return `[${name}${parent && parent.name ? ` extends ${parent.name}` : ""}]`;
  }
  const type = ctor === "AsyncFunction" || ctor === "GeneratorFunction" || ctor === "AsyncGeneratorFunction" ? ctor : "Function";
  return `[${type}${f.name ? `: ${f.name}` : " (anonymous)"}]`;
}

function prefix(ctor: string | null, fallback: string, size = ""): string {
  if (ctor === null) return `[${fallback}${size}: null prototype] `;
  return `${ctor}${size} `;
}

function formatKey(key: string | symbol): string {
  if (typeof key === "symbol") return `[${key.toString()}]`;
  if (key === "__proto__") return "['__proto__']";
  return IDENTIFIER_KEY.test(key) ? key : quote(key);
}

function formatProperty(ctx: Ctx, obj: object, key: string | symbol, depth: number, inArray: boolean): string {
  const desc = Object.getOwnPropertyDescriptor(obj, key) ?? { value: (obj as Record<string | symbol, unknown>)[key], enumerable: true };
  let str: string;
  if (desc.value !== undefined || !("get" in desc || "set" in desc)) {
    ctx.indentation += 2;
    str = formatValue(ctx, desc.value, depth);
    ctx.indentation -= 2;
  } else if (desc.get !== undefined) str = desc.set !== undefined ? "[Getter/Setter]" : "[Getter]";
  else str = desc.set !== undefined ? "[Setter]" : "undefined";
  return inArray ? str : `${formatKey(key)}: ${str}`;
}

function ownKeys(v: object): (string | symbol)[] {
  const symbols = Object.getOwnPropertySymbols(v).filter((s) => Object.prototype.propertyIsEnumerable.call(v, s));
  return [...Object.keys(v), ...symbols];
}

/** Wide (two-column) code points: CJK, Hangul, fullwidth forms and emoji, as terminals draw them. */
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]/u;
const ZERO_WIDTH = /[\p{M}\u200b-\u200f\u2060-\u2064\ufeff]/u;

/** The columns a string takes on a terminal (Node groups array entries by it, not by length). */
function displayWidth(s: string): number {
  let width = 0;
  for (const ch of s.normalize("NFC")) width += WIDE.test(ch) ? 2 : ZERO_WIDTH.test(ch) ? 0 : 1;
  return width;
}

function groupArrayElements(ctx: Ctx, output: string[], value: unknown[] | undefined): string[] {
  let totalLength = 0;
  let maxLength = 0;
  const outputLength = output.length - (value && value.length > MAX_ARRAY_LENGTH ? 1 : 0);
  const separatorSpace = 2;
  const dataLen: number[] = [];
  for (let i = 0; i < outputLength; i++) {
    const len = displayWidth(output[i]!);
    dataLen.push(len);
    totalLength += len + separatorSpace;
    if (maxLength < len) maxLength = len;
  }
  const actualMax = maxLength + separatorSpace;
  if (actualMax * 3 + ctx.indentation < BREAK_LENGTH && (totalLength / actualMax > 5 || maxLength <= 6)) {
    const averageBias = Math.sqrt(actualMax - totalLength / output.length);
    const biasedMax = Math.max(actualMax - 3 - averageBias, 1);
    const columns = Math.min(
      Math.round(Math.sqrt(2.5 * biasedMax * outputLength) / biasedMax),
      Math.floor((BREAK_LENGTH - ctx.indentation) / actualMax),
      COMPACT * 4,
      15,
    );
    if (columns <= 1) return output;
    const maxLineLength: number[] = [];
    for (let i = 0; i < columns; i++) {
      let lineLength = 0;
      for (let j = i; j < output.length; j += columns) if ((dataLen[j] ?? 0) > lineLength) lineLength = dataLen[j]!;
      maxLineLength.push(lineLength + separatorSpace);
    }
    const numeric = value !== undefined && value.every((x, i) => i >= output.length || typeof x === "number" || typeof x === "bigint");
    const grouped: string[] = [];
    for (let i = 0; i < outputLength; i += columns) {
      const max = Math.min(i + columns, outputLength);
      let line = "";
      let j = i;
      for (; j < max - 1; j++) {
        // Padding is counted in columns: a wide character takes two, a combining mark none.
        const cell = `${output[j]}, `;
        const width = maxLineLength[j - i]! + output[j]!.length - dataLen[j]!;
        line += numeric ? cell.padStart(width, " ") : cell.padEnd(width, " ");
      }
      line += numeric ? output[j]!.padStart(maxLineLength[j - i]! + output[j]!.length - dataLen[j]! - separatorSpace, " ") : output[j]!;
      grouped.push(line);
    }
    if (outputLength < output.length) grouped.push(output[outputLength]!);
    return grouped;
  }
  return output;
}

function reduceToSingleString(
  ctx: Ctx,
  output: string[],
  base: string,
  braces: [string, string],
  isArray: boolean,
  depth: number,
  value: unknown,
): string {
  const entries = output.length;
  if (isArray && entries > 6) output = groupArrayElements(ctx, output, value as unknown[]);
  if (ctx.currentDepth - depth < COMPACT && entries === output.length) {
    const start = output.length + ctx.indentation + braces[0].length + base.length + 10;
    let total = output.length + start;
    let fits = total + output.length <= BREAK_LENGTH;
    for (let i = 0; fits && i < output.length; i++) {
      total += output[i]!.length;
      if (total > BREAK_LENGTH) fits = false;
    }
    if (fits && (base === "" || !base.includes("\n"))) {
      const joined = output.join(", ");
      if (!joined.includes("\n")) return `${base ? `${base} ` : ""}${braces[0]} ${joined} ${braces[1]}`;
    }
  }
  const ind = `\n${" ".repeat(ctx.indentation)}`;
  return `${base ? `${base} ` : ""}${braces[0]}${ind}  ${output.join(`,${ind}  `)}${ind}${braces[1]}`;
}

function moreItems(n: number): string {
  return `... ${n} more item${n > 1 ? "s" : ""}`;
}

function formatValue(ctx: Ctx, v: unknown, depth: number): string {
  if ((typeof v !== "object" && typeof v !== "function") || v === null) return v === null ? "null" : formatPrimitive(ctx, v);
  if (ctx.seen.includes(v)) {
    ctx.circular ??= new Map();
    let index = ctx.circular.get(v);
    if (index === undefined) ctx.circular.set(v, (index = ctx.circular.size + 1));
    return `[Circular *${index}]`;
  }
  return formatRaw(ctx, v, depth);
}

function formatRaw(ctx: Ctx, v: object, depth: number): string {
  const ctor = constructorName(v);
  let keys = ownKeys(v);
  let base = "";
  let braces: [string, string] = ["{", "}"];
  let isArray = false;
  let entries: (ctx: Ctx, depth: number) => string[] = () => [];
  let fallback = "Object";
  if (Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView))) {
    const arr = v as unknown as ArrayLike<unknown>;
    const typed = !Array.isArray(v);
    fallback = typed ? (ctor ?? "TypedArray") : "Array";
    const pre = ctor !== "Array" ? prefix(ctor, fallback, `(${arr.length})`) : "";
    keys = keys.filter((k) => typeof k === "symbol" || !/^(0|[1-9]\d*)$/.test(k));
    braces = [`${pre}[`, "]"];
    if (arr.length === 0 && keys.length === 0) return `${braces[0]}]`;
    isArray = true;
    entries = (c, d) => {
      const out: string[] = [];
      const len = Math.min(MAX_ARRAY_LENGTH, arr.length);
      for (let i = 0; i < len; i++) out.push(formatProperty(c, v, String(i), d, true));
      if (arr.length > len) out.push(moreItems(arr.length - len));
      return out;
    };
  } else if (v instanceof Set || v instanceof Map) {
    const isMap = v instanceof Map;
    fallback = isMap ? "Map" : "Set";
    const pre = prefix(ctor, fallback, `(${v.size})`);
    if (v.size === 0 && keys.length === 0) return `${pre}{}`;
    braces = [`${pre}{`, "}"];
    entries = (c, d) => {
      const out: string[] = [];
      c.indentation += 2;
      let i = 0;
      for (const entry of v.entries()) {
        if (i++ >= MAX_ARRAY_LENGTH) break;
        const [k, val] = entry as [unknown, unknown];
        out.push(isMap ? `${formatValue(c, k, d)} => ${formatValue(c, val, d)}` : formatValue(c, val, d));
      }
      if (v.size > MAX_ARRAY_LENGTH) out.push(moreItems(v.size - MAX_ARRAY_LENGTH));
      c.indentation -= 2;
      return out;
    };
  } else if (typeof v === "function") {
    base = functionBase(v, ctor);
    if (keys.length === 0) return base;
  } else if (v instanceof RegExp) {
    base = RegExp.prototype.toString.call(v);
    if (keys.length === 0) return base;
  } else if (v instanceof Date) {
    base = Number.isNaN(v.getTime()) ? "Invalid Date" : v.toISOString();
    if (keys.length === 0) return base;
  } else if (v instanceof Error) {
    base = v.stack ?? `${v.name}: ${v.message}`;
    keys = keys.filter((k) => k !== "stack" && k !== "message");
    if (keys.length === 0) return base;
  } else if (ctor === "Object") {
    if (keys.length === 0) return "{}";
  } else {
    braces[0] = `${prefix(ctor, "Object")}{`;
    if (keys.length === 0) return `${braces[0]}}`;
  }
  if (depth > DEPTH) return ctor === null ? `[${fallback}: null prototype]` : `[${ctor}]`;
  depth += 1;
  ctx.seen.push(v);
  ctx.currentDepth = depth;
  const output = entries(ctx, depth);
  for (const k of keys) output.push(formatProperty(ctx, v, k, depth, false));
  ctx.seen.pop();
  const res = reduceToSingleString(ctx, output, base, braces, isArray, depth, v);
  const index = ctx.circular?.get(v);
  return index !== undefined ? `<ref *${index}> ${res}` : res;
}

/** Formats a value as Node's `util.inspect(value)` does with its default options. */
export function inspect(value: unknown): string {
  return formatValue({ indentation: 0, currentDepth: 0, seen: [], circular: undefined }, value, 0);
}

/** Formats console arguments as Node's `util.format` does: `%s %d %i %f %j %o %O %c %%`, then the rest joined by spaces. */
export function format(...args: unknown[]): string {
  const [first] = args;
  let rest = args;
  let head: string;
  if (typeof first === "string" && args.length > 1 && first.includes("%")) {
    let a = 1;
    head = first.replace(/%([sdifjoOc%])/g, (m, k: string) => {
      if (k === "%") return "%";
      if (a >= args.length) return m;
      const arg = args[a++];
      switch (k) {
        case "s":
          return typeof arg === "string"
            ? arg
            : typeof arg === "bigint"
              ? `${arg}n`
              : typeof arg === "object" && arg !== null
                ? inspect(arg)
                : formatPrimitive({ indentation: 0, currentDepth: 0, seen: [], circular: undefined }, arg);
        case "d":
        case "i": {
          if (typeof arg === "bigint") return `${arg}n`;
          const n = Number(arg);
          return String(k === "i" ? Math.trunc(n) : n);
        }
        case "f":
          return String(parseFloat(String(arg)));
        case "j":
          try {
            return JSON.stringify(arg);
          } catch {
            return "[Circular]";
          }
        case "c":
          return "";
        default:
          return inspect(arg);
      }
    });
    rest = args.slice(a);
    return [head, ...rest.map((x) => (typeof x === "string" ? x : inspect(x)))].join(" ");
  }
  return rest.map((x) => (typeof x === "string" ? x : inspect(x))).join(" ");
}
