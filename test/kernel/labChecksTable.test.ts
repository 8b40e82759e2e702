import * as path from "node:path";
import { readNotebook } from "../../kernel/headless/notebookFormat";
import { PROJECT_ROOT } from "../../kernel/jupyterPaths";
import { checksTable } from "../../lib/labs/labContract";
import { LABS } from "../../lib/labs/registry";

describe.each(Object.keys(LABS))("%s", (id) => {
  test.each(["labs", "instructor"])("the %s notebook states exactly what each graded check means", (folder) => {
    const intro = readNotebook(path.join(PROJECT_ROOT, "notebooks", folder, `${id}.ipynb`)).cells[0]?.source ?? "";
    const lab = LABS[id]!;
    expect(intro).toContain(checksTable(lab));
    for (const t of lab.tests) expect(intro).toContain(`| ${t.name} | ${t.points} |`);
  });
});

test("a description with a pipe stays one table cell", () => {
  const table = checksTable({
    id: "x",
    title: "x",
    definitions: [],
    tests: [{ name: "a|b", points: 1, description: "c | d", check: () => undefined }],
  });
  expect(table.split("\n")[2]).toBe("| a\\|b | 1 | c \\| d |");
});
