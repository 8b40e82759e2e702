import * as fs from "node:fs";
import * as path from "node:path";
import { runMaze } from "../cliCapture";
import { tempDir } from "../tempDir";

const GOLDEN = path.join(__dirname, "..", "..", "protocols", "golden");

const cli = runMaze;

function tmp(text: string): string {
  const f = path.join(tempDir("check"), "p.ded");
  fs.writeFileSync(f, text);
  return f;
}

describe("maze check", () => {
  test("a clean monotone program exits 0 and says it is monotone", async () => {
    const r = await cli(["check", path.join(GOLDEN, "gossip_set.ded")]);
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    expect(r.out).toMatch(/3 of 3 rules monotone; the program is monotone/);
    expect(r.out).toMatch(/maze check: 0 errors, 0 warnings/);
  });

  test("warnings do not fail the check; coordination points are printed with file:line:col", async () => {
    const r = await cli(["check", path.join(GOLDEN, "put_delete_race.ded")]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/put_delete_race\.ded:5:1: warning: relation boot is produced but no rule reads it \[never-used\]/);
    expect(r.out).toMatch(/put_delete_race\.ded:13:34: coordination point: .*deletes store tuples/);
  });

  test("errors go to stderr with a caret excerpt and exit 2; no CALM section", async () => {
    const r = await cli(["check", tmp(`r("a")@1;\ns(X) :- r(X), notin t(X);\nt(X) :- r(X), notin s(X);\n`)]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/p\.ded:2:15: error: .*\[unstratifiable\]\n2 \| s\(X\) :- r\(X\), notin t\(X\);\n {2}\| +\^+/);
    expect(r.out).not.toMatch(/CALM/);
  });

  test("--json gives one object with counts, located diagnostics and the analysis", async () => {
    const r = await cli(["check", "--json", path.join(GOLDEN, "heartbeat.ded")]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as {
      errors: number;
      warnings: number;
      diagnostics: { code: string; line: number }[];
      calm: { monotone: boolean; points: { location: string; kind: string; input: string; chain: { rel: string }[] }[] };
    };
    expect([j.errors, j.warnings]).toEqual([0, 1]);
    expect(j.diagnostics.map((d) => [d.code, d.line])).toEqual([["never-used", 10]]);
    expect(j.calm.monotone).toBe(false);
    expect(j.calm.points.map((p) => [p.location.replace(/^.*golden\//, ""), p.kind, p.input, p.chain.map((c) => c.rel)])).toEqual([
      ["heartbeat.ded:10:42", "negation", "hb", ["hb"]],
    ]);
  });

  test("a missing file and no file at all are errors (exit 2)", async () => {
    expect((await cli(["check", "/nonexistent/x.ded"])).code).toBe(2);
    expect((await cli(["check"])).code).toBe(2);
    const j = JSON.parse((await cli(["check", "--json", "/nonexistent/x.ded"])).out) as { errors: number; calm: null };
    expect(j.errors).toBe(1);
    expect(j.calm).toBeNull();
  });

  test("--schedules runs the delivery-schedule demonstration: one outcome when monotone, several for the race", async () => {
    const mono = JSON.parse((await cli(["check", "--json", "--schedules", "40", path.join(GOLDEN, "gossip_set.ded")])).out) as {
      spread: { distinct: number; eot: number };
    };
    expect(mono.spread).toMatchObject({ distinct: 1, eot: 10 });
    const race = await cli(["check", "--schedules", "60", "--eot", "9", "--relations", "store", path.join(GOLDEN, "put_delete_race.ded")]);
    expect(race.code).toBe(0);
    expect(race.out).toMatch(/60 random delivery schedules .* observed at EOT 9: 2 distinct outcomes\./);
    expect(race.out).toMatch(/\+ store\("s", "k"\)/);
    expect((await cli(["check", "--schedules", "-1", path.join(GOLDEN, "gossip_set.ded")])).code).toBe(2);
  });
});
