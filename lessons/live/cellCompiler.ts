/**
 * Turns a notebook cell (TypeScript) into JavaScript that runs in the live runtime's one scope per
 * page, as a kernel would: a name declared at a cell's top level is seen by every later cell, and
 * `await` works at the top level.
 *
 * Sucrase strips the types (keeping every line where it was, so an error's line is the cell's);
 * acorn finds the top-level declarations, which become assignments to the worker's global scope
 * (`const x = 1` → `(x = 1)`, `class A {}` → `A = class A {}`, a function is copied there once it
 * is hoisted), imports become lookups in the runtime's module table, and a final expression
 * statement becomes the cell's value. The cell then runs as the body of an async function whose
 * first line is the cell's first line.
 */
import * as acorn from "acorn";
import { transform } from "sucrase";

/** A cell ready to evaluate, or where it failed to compile. */
export type CompiledCell =
  | { readonly ok: true; readonly code: string; readonly names: readonly string[] }
  | { readonly ok: false; readonly line?: number; readonly column?: number; readonly message: string };

/** The name under which a compiled cell reaches the runtime's modules (`import ... from "maze"`). */
export const IMPORT_FUNCTION = "__mazeImport";

/** The source URL a compiled cell carries, so stack frames name the cell: `maze-cell-3`. */
export function cellSourceUrl(cell: number): string {
  return `maze-cell-${cell}`;
}

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

type Node = acorn.Node & Record<string, unknown>;

/** The identifiers a binding pattern declares. */
function boundNames(pattern: Node, out: string[]): void {
  switch (pattern.type) {
    case "Identifier":
      out.push(pattern["name"] as string);
      break;
    case "ObjectPattern":
      for (const p of pattern["properties"] as Node[])
        boundNames(p.type === "RestElement" ? (p["argument"] as Node) : (p["value"] as Node), out);
      break;
    case "ArrayPattern":
      for (const e of pattern["elements"] as (Node | null)[]) if (e) boundNames(e, out);
      break;
    case "RestElement":
      boundNames(pattern["argument"] as Node, out);
      break;
    case "AssignmentPattern":
      boundNames(pattern["left"] as Node, out);
      break;
  }
}

/** The same number of newlines as `text` holds, so replacing it keeps later lines in place. */
function keepLines(text: string): string {
  return "\n".repeat((text.match(/\n/g) ?? []).length);
}

function importEdit(js: string, node: Node, names: string[]): Edit {
  const source = JSON.stringify((node["source"] as Node)["value"]);
  const parts: string[] = [];
  for (const s of node["specifiers"] as Node[]) {
    const local = (s["local"] as Node)["name"] as string;
    names.push(local);
    if (s.type === "ImportNamespaceSpecifier") parts.push(`${local} = ${IMPORT_FUNCTION}(${source})`);
    else if (s.type === "ImportDefaultSpecifier") parts.push(`${local} = ${IMPORT_FUNCTION}(${source}).default`);
    else {
      const imported = s["imported"] as Node;
      const key = imported.type === "Identifier" ? (imported["name"] as string) : String(imported["value"]);
      parts.push(`${local} = ${IMPORT_FUNCTION}(${source})[${JSON.stringify(key)}]`);
    }
  }
  const text = parts.length > 0 ? `${parts.join("; ")};` : `${IMPORT_FUNCTION}(${source});`;
  return { start: node.start, end: node.end, text: text + keepLines(js.slice(node.start, node.end)) };
}

function declarationEdits(js: string, decl: Node, names: string[], hoisted: string[], edits: Edit[]): void {
  if (decl.type === "VariableDeclaration") {
    const declarators = decl["declarations"] as Node[];
    const first = declarators[0]!;
    const last = declarators[declarators.length - 1]!;
    edits.push({ start: decl.start, end: first.start, text: "(" + keepLines(js.slice(decl.start, first.start)) });
    for (const d of declarators) {
      boundNames(d["id"] as Node, names);
      if (d["init"] === null) edits.push({ start: (d["id"] as Node).end, end: (d["id"] as Node).end, text: " = undefined" });
    }
    edits.push({ start: last.end, end: last.end, text: ")" });
  } else if (decl.type === "FunctionDeclaration") {
    const name = (decl["id"] as Node)["name"] as string;
    names.push(name);
    hoisted.push(name);
  } else if (decl.type === "ClassDeclaration") {
    const name = (decl["id"] as Node)["name"] as string;
    names.push(name);
    edits.push({ start: decl.start, end: decl.start, text: `${name} = ` });
    edits.push({ start: decl.end, end: decl.end, text: ";" });
  }
}

/**
 * Compiles one cell. `cell` names it in stack traces. Never throws: a syntax error comes back with
 * its line and column in the cell.
 */
export function compileCell(source: string, cell: number): CompiledCell {
  let js: string;
  try {
    js = transform(source, { transforms: ["typescript"], disableESTransforms: true, keepUnusedImports: true }).code;
  } catch (e) {
    // Sucrase's messages and columns are rough ("Invalid scope depth at end of file"); where the
    // mistake is plain JavaScript, acorn names and places it exactly.
    try {
      acorn.parse(source, { ecmaVersion: "latest", sourceType: "module", allowAwaitOutsideFunction: true, locations: true });
    } catch (jsError) {
      return syntaxFailure(jsError, 1);
    }
    return syntaxFailure(e, 0);
  }
  let program: Node;
  try {
    program = acorn.parse(js, {
      ecmaVersion: "latest",
      sourceType: "module",
      allowAwaitOutsideFunction: true,
      locations: true,
    }) as unknown as Node;
  } catch (e) {
    return syntaxFailure(e, 1);
  }
  const names: string[] = [];
  const hoisted: string[] = [];
  const edits: Edit[] = [];
  const body = program["body"] as Node[];
  body.forEach((stmt, i) => {
    if (stmt.type === "ImportDeclaration") {
      edits.push(importEdit(js, stmt, names));
    } else if (stmt.type === "ExportNamedDeclaration" || stmt.type === "ExportDefaultDeclaration") {
      const decl = stmt["declaration"] as Node | null;
      if (decl && decl.type !== "Identifier" && /Declaration$/.test(decl.type)) {
        edits.push({ start: stmt.start, end: decl.start, text: "" });
        declarationEdits(js, decl, names, hoisted, edits);
      } else {
        edits.push({ start: stmt.start, end: stmt.end, text: keepLines(js.slice(stmt.start, stmt.end)) });
      }
    } else if (/Declaration$/.test(stmt.type)) {
      declarationEdits(js, stmt, names, hoisted, edits);
    } else if (i === body.length - 1 && stmt.type === "ExpressionStatement") {
      // The cell's value, shown as the kernel shows a final expression.
      // The statement's own range: acorn's expression range leaves out its parentheses.
      const end = js[stmt.end - 1] === ";" ? stmt.end - 1 : stmt.end;
      edits.push({ start: stmt.start, end: stmt.start, text: "return (" });
      edits.push({ start: end, end, text: ")" });
    }
  });
  edits.sort((a, b) => a.start - b.start || a.end - b.end);
  let out = "";
  let at = 0;
  for (const e of edits) {
    out += js.slice(at, e.start) + e.text;
    at = e.end;
  }
  out += js.slice(at);
  const prologue = hoisted.map((n) => `globalThis[${JSON.stringify(n)}] = ${n};`).join(" ");
  const code = `(async () => {${prologue} ${out}\n})()\n//# sourceURL=${cellSourceUrl(cell)}`;
  return { ok: true, code, names: [...new Set(names)] };
}

/** A parser's error as a located failure; `columnBase` turns the parser's column into a 1-based one. */
function syntaxFailure(e: unknown, columnBase: 0 | 1): CompiledCell {
  const err = e as { message?: string; loc?: { line: number; column: number } };
  const message = (err.message ?? String(e)).replace(/\s*\(\d+:\d+\)$/, "");
  return err.loc
    ? { ok: false, line: err.loc.line, column: err.loc.column + columnBase, message: `SyntaxError: ${message}` }
    : { ok: false, message: `SyntaxError: ${message}` };
}
