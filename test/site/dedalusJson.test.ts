/**
 * The playground's `mazeLive.dedalus` answers with `dedalusJson`; it must print exactly what
 * `maze check|run|ldfi --json` prints for the same files and flags (wallMs aside).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { dedalusJson, type DedalusJsonRequest } from "../../lib/cli/dedalusJson";
import { main } from "../../lib/cli/main";
import { PROTOCOLS_DIR } from "../../lib/protocols/corpus";

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "", err = "";
  const o = jest.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  const e = jest.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  const cwd = process.cwd();
  process.chdir(PROTOCOLS_DIR);
  try {
    const code = await main(args);
    return { code, out, err };
  } finally {
    process.chdir(cwd);
    o.mockRestore();
    e.mockRestore();
  }
}

/** dedalusJson from the corpus folder: includes resolve against the working directory, as for the CLI (the browser's is /maze/protocols). */
function answer(req: DedalusJsonRequest): object {
  const cwd = process.cwd();
  process.chdir(PROTOCOLS_DIR);
  try {
    return dedalusJson(req);
  } finally {
    process.chdir(cwd);
  }
}

const corpus = (...files: string[]): Record<string, string> => Object.fromEntries(files.map((f) => [f, fs.readFileSync(path.join(PROTOCOLS_DIR, f), "utf8")]));
const withoutWall = (o: object): object => ({ ...o, wallMs: 0 });

describe("dedalusJson answers as the CLI's --json", () => {
  test.each([
    ["check 2pc", { command: "check", files: corpus("2pc.ded", "commit_assert.ded") }, ["check", "2pc.ded", "commit_assert.ded", "--json"]],
    ["run simple_delivery", { command: "run", files: corpus("simple_delivery.ded", "delivery_assert.ded"), eot: 4 }, ["run", "simple_delivery.ded", "delivery_assert.ded", "--eot", "4", "--json"]],
    ["ldfi retry_delivery 4/2/1", { command: "ldfi", files: corpus("retry_delivery.ded", "delivery_assert.ded"), eot: 4, eff: 2, crashes: 1 }, ["ldfi", "retry_delivery.ded", "delivery_assert.ded", "--eot", "4", "--eff", "2", "--crashes", "1", "--json"]],
    ["ldfi exhaustive simple_delivery", { command: "ldfi", files: corpus("simple_delivery.ded", "delivery_assert.ded"), eot: 4, strategy: "exhaustive", nodes: "a,b,c" }, ["ldfi", "simple_delivery.ded", "delivery_assert.ded", "--eot", "4", "--strategy", "exhaustive", "--nodes", "a,b,c", "--json"]],
  ] as [string, DedalusJsonRequest, string[]][])("%s", async (_name, req, args) => {
    const r = await cli(args);
    const printed = JSON.parse(r.out) as object;
    const answered = answer(req);
    expect(req.command === "ldfi" ? withoutWall(answered) : answered).toEqual(req.command === "ldfi" ? withoutWall(printed) : printed);
    expect(Object.keys(answered)[0]).toBe("schemaVersion");
  });

  test("a bad program gives { error, diagnostics }: the CLI's stderr text and the located diagnostics", async () => {
    const files = { "bad.ded": 'p("a")@1;\nq(X, Y) :- p(X);\n' };
    for (const command of ["run", "ldfi"] as const) {
      const answered = answer({ command, files }) as { error: string; diagnostics: { code: string; line: number; file: string }[] };
      expect(answered).toMatchObject({ schemaVersion: 1 });
      expect(answered.error).toMatch(/^bad\.ded:2:\d+: error: /);
      expect(answered.diagnostics[0]).toMatchObject({ file: "bad.ded", line: 2, severity: "error" });
    }
    const checked = answer({ command: "check", files }) as { errors: number; diagnostics: unknown[] };
    expect(checked.errors).toBeGreaterThan(0);
  });

  test("never throws: bad requests and flags are errors named as the CLI names them", () => {
    expect(answer({ command: "nope", files: {} } as unknown as DedalusJsonRequest)).toEqual({ schemaVersion: 1, error: "maze playground: command must be check, run or ldfi, got 'nope'", diagnostics: [] });
    expect(answer({ command: "ldfi", files: corpus("simple_delivery.ded", "delivery_assert.ded"), eot: 1.5 })).toEqual({ schemaVersion: 1, error: "maze ldfi: --eot expects an integer, got '1.5'", diagnostics: [] });
    expect(answer({ command: "ldfi", files: corpus("simple_delivery.ded") })).toMatchObject({ error: expect.stringMatching(/^maze ldfi: simple_delivery\.ded: nothing derives post/) });
    expect(answer(null as unknown as DedalusJsonRequest)).toMatchObject({ error: expect.stringMatching(/^maze playground: /) });
  });
});
