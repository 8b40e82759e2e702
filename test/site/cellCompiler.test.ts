import * as vm from "node:vm";
import { compileCell, IMPORT_FUNCTION } from "../../lessons/live/cellCompiler";

/** Runs cells in order in one fresh global scope, as the live worker does; resolves to each cell's value. */
async function runCells(...cells: string[]): Promise<unknown[]> {
  const modules: Record<string, unknown> = { maze: { answer: 42, double: (n: number) => 2 * n } };
  const context = vm.createContext({ [IMPORT_FUNCTION]: (name: string) => modules[name], console });
  const values: unknown[] = [];
  for (const [i, source] of cells.entries()) {
    const c = compileCell(source, i);
    if (!c.ok) throw new Error(`cell ${i}:line ${c.line}: ${c.message}`);
    for (const n of c.names) if (!vm.runInContext(`${JSON.stringify(n)} in globalThis`, context)) vm.runInContext(`globalThis[${JSON.stringify(n)}] = undefined`, context);
    values.push(await vm.runInContext(c.code, context));
  }
  return values;
}

describe("a live cell compiles into the page's one scope", () => {
  test("names declared at a cell's top level are seen by later cells, whatever the declaration", async () => {
    const values = await runCells(
      'import * as maze from "maze";\nimport { double as twice } from "maze";',
      "const { a, b: [c] } = { a: 1, b: [2] }, d: number = 3;\nlet e: string;\nfunction f(x: number): number { return x + a; }\nclass K { y = 10 }\nenum Color { Red, Green }",
      "({ a, c, d, e, f: f(1), k: new K().y, green: Color.Green, answer: maze.answer, twice: twice(4) })",
    );
    expect(values[2]).toEqual({ a: 1, c: 2, d: 3, e: undefined, f: 2, k: 10, green: 1, answer: 42, twice: 8 });
  });

  test("a function declared at the bottom of a cell can be called at its top (hoisting), and closures share the scope", async () => {
    const values = await runCells("bump();\nlet count = 0;\nfunction bump() { count = (count ?? 0) + 1; }", "bump(); bump();\ncount");
    expect(values[1]).toBe(2);
  });

  test("top-level await works, and only a final expression statement is the cell's value", async () => {
    const values = await runCells("const v = await Promise.resolve(7);\nv * 2", "for (const x of [1]) { void x; }", "interface P { x: number }\nconst p = { x: 1 } as P;\n({ ...p, y: 2 });");
    expect(values).toEqual([14, undefined, { x: 1, y: 2 }]);
  });

  test("lines are kept: a runtime error's frame names the cell and its line", async () => {
    const c = compileCell('type T = {\n  a: number;\n};\nconst t: T = { a: 1 };\nthrow new Error("boom " + t.a);', 4);
    expect(c.ok).toBe(true);
    if (!c.ok) return;
    // Indirect eval, as the worker runs cells: V8 names the frame after the cell's sourceURL.
    const err = await ((0, eval)(c.code) as Promise<unknown>).catch((e: Error) => e);
    expect((err as Error).message).toBe("boom 1");
    expect(String((err as Error).stack)).toMatch(/maze-cell-4:5:/);
    delete (globalThis as Record<string, unknown>)["t"];
  });

  test("a syntax error comes back located, not thrown", () => {
    expect(compileCell("const ok = 1;\nconst x = ;", 0)).toEqual({ ok: false, line: 2, column: 11, message: "SyntaxError: Unexpected token" });
    const r = compileCell("let a = 1;\nlet b = (a;", 3);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.line).toBe(2);
    // A TypeScript-only mistake (sucrase's error) is located too.
    const ts = compileCell("let a = 1;\nlet b: = 2;", 1);
    expect(ts).toMatchObject({ ok: false, line: 2 });
  });
});
