import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadTwins, searchTwin, twinsTable, type Twin } from "../../lib/ldfi/handlers/twins";

/**
 * The handler twins of protocols/handlers/twins.json reach the same verdict as their Dedalus twins
 * at the same bounds (DESIGN.md section 13), and protocols/EXPECTED.md carries their table.
 * Executions are pinned in twins.json; UPDATE=1 rewrites the counts and the table.
 */
const DIR = path.join(__dirname, "..", "..", "protocols", "handlers");
const TWINS_FILE = path.join(DIR, "twins.json");
const EXPECTED_MD = path.join(DIR, "..", "EXPECTED.md");
const HANDLER_TABLE_BEGIN =
  "<!-- BEGIN GENERATED HANDLER TWINS: from protocols/handlers/twins.json by test/ldfi/handlersTwins.test.ts (UPDATE=1 rewrites it) -->";
const HANDLER_TABLE_END = "<!-- END GENERATED HANDLER TWINS -->";

const update = process.env["UPDATE"] === "1";
const twins = loadTwins(DIR);
const measured = new Map<string, { handlers: number; dedalus: number }>();

describe.each(twins.map((t) => [t.name, t] as const))("twin %s", (_name, twin: Twin) => {
  test.each(twin.bounds.map((b) => [b.bounds, b] as const))("%s: both twins give the expected verdict", (bounds, row) => {
    const { handlers, dedalus } = searchTwin(DIR, twin, bounds);
    expect({ handlers: handlers.verdict, dedalus: dedalus.verdict }).toEqual({ handlers: row.verdict, dedalus: row.verdict });
    if (row.verdict === "certified") expect(handlers.completion).not.toBeNull();
    const counts = { handlers: handlers.executions, dedalus: dedalus.executions };
    measured.set(`${twin.name} ${bounds}`, counts);
    if (!update) expect(counts).toEqual(row.executions);
  });
});

afterAll(() => {
  if (!update || measured.size === 0) return;
  const fresh = twins.map((t) => ({
    ...t,
    bounds: t.bounds.map((b) => ({ ...b, executions: measured.get(`${t.name} ${b.bounds}`) ?? b.executions })),
  }));
  const about = (JSON.parse(fs.readFileSync(TWINS_FILE, "utf8")) as { about: string }).about;
  const entries = fresh.map(
    (t) =>
      `    {"name": ${JSON.stringify(t.name)}, "handlers": ${JSON.stringify(t.handlers)}, "dedalus": ${JSON.stringify(t.dedalus)}, "bounds": [\n` +
      t.bounds
        .map(
          (b) =>
            `      {"bounds": ${JSON.stringify(b.bounds)}, "verdict": ${JSON.stringify(b.verdict)}${b.executions ? `, "executions": ${JSON.stringify(b.executions).replace(/,/g, ", ").replace(/:/g, ": ")}` : ""}}`,
        )
        .join(",\n") +
      "\n    ]}",
  );
  fs.writeFileSync(TWINS_FILE, `{\n  "about": ${JSON.stringify(about)},\n  "twins": [\n${entries.join(",\n")}\n  ]\n}\n`);
  const text = fs.readFileSync(EXPECTED_MD, "utf8");
  const start = text.indexOf(HANDLER_TABLE_BEGIN);
  const end = text.indexOf(HANDLER_TABLE_END);
  if (start >= 0 && end > start)
    fs.writeFileSync(
      EXPECTED_MD,
      text.slice(0, start) +
        `${HANDLER_TABLE_BEGIN}\n${twinsTable(fresh)}\n${HANDLER_TABLE_END}` +
        text.slice(end + HANDLER_TABLE_END.length),
    );
});

test("protocols/EXPECTED.md carries the handler twins' table generated from twins.json", () => {
  const text = fs.readFileSync(EXPECTED_MD, "utf8");
  const start = text.indexOf(HANDLER_TABLE_BEGIN);
  const end = text.indexOf(HANDLER_TABLE_END);
  expect(start).toBeGreaterThanOrEqual(0);
  expect(end).toBeGreaterThan(start);
  if (!update)
    expect(text.slice(start, end + HANDLER_TABLE_END.length)).toBe(`${HANDLER_TABLE_BEGIN}\n${twinsTable(twins)}\n${HANDLER_TABLE_END}`);
});

test("the twins type-check against maze's declarations (strict; protocols/handlers/tsconfig.json)", () => {
  const tsc = path.join(__dirname, "..", "..", "node_modules", "typescript", "bin", "tsc");
  // dist/ is built by `npm test` (and npm install) before jest runs
  expect(() =>
    execFileSync(process.execPath, [tsc, "-p", path.join(DIR, "tsconfig.json")], { encoding: "utf8", stdio: "pipe" }),
  ).not.toThrow();
});
