import * as fs from "node:fs";
import * as path from "node:path";
import { loadExpected, PROTOCOLS } from "./corpus";
import { expectedTable, TABLE_BEGIN, TABLE_END } from "./expectedTable";

describe("protocols/EXPECTED.md", () => {
  it("carries the table generated from expected.json (UPDATE=1 rewrites it)", () => {
    const file = path.join(PROTOCOLS, "EXPECTED.md");
    const text = fs.readFileSync(file, "utf8");
    const start = text.indexOf(TABLE_BEGIN);
    const end = text.indexOf(TABLE_END);
    expect(start).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(start);
    const fresh = `${TABLE_BEGIN}\n${expectedTable(loadExpected())}\n${TABLE_END}`;
    const current = text.slice(start, end + TABLE_END.length);
    if (process.env["UPDATE"] === "1" && current !== fresh)
      fs.writeFileSync(file, text.slice(0, start) + fresh + text.slice(end + TABLE_END.length));
    else expect(current).toBe(fresh);
  });

  it("lists only files that exist, and every corpus program appears", () => {
    const entries = loadExpected();
    for (const e of entries) for (const f of e.files) expect(fs.existsSync(path.join(PROTOCOLS, f))).toBe(true);
    const used = new Set(entries.flatMap((e) => e.files));
    const programs = fs.readdirSync(PROTOCOLS).filter((f) => f.endsWith(".ded") && !/assert|setup/.test(f));
    for (const p of programs) expect(used.has(p)).toBe(true);
  });
});
