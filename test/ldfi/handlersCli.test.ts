import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execute, spec } from "../../lib/cli/ldfi";
import * as runCommand from "../../lib/cli/run";
import { parseCommandLine, type CommandSpec, type OptionValues } from "../../lib/cli/command";

/** `maze ldfi protocol.ts` and `maze run protocol.ts`, in-process (DESIGN.md sections 6 and 13). */
async function maze(
  args: string[],
  cmd: { spec: CommandSpec; execute(v: OptionValues, p: string[]): Promise<number> } = { spec, execute },
): Promise<{ code: number; out: string; err: string }> {
  const parsed = parseCommandLine(cmd.spec, args);
  if ("error" in parsed) return { code: 2, out: "", err: parsed.error };
  let out = "";
  let err = "";
  const o = jest.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  const e = jest.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  try {
    return { code: await cmd.execute(parsed.values, parsed.positionals), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

const twin = (f: string): string => path.join(__dirname, "..", "..", "protocols", "handlers", f);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "maze-handlers-cli-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("maze ldfi protocol.ts", () => {
  test("prints the JSON contract and exits 1 on a counterexample, whose replay with maze run loses the key", async () => {
    const r = await maze([twin("retry_delivery.ts"), "--eot", "4", "--eff", "2", "--crashes", "1", "--json"]);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out) as Record<string, unknown>;
    expect(Object.keys(j).sort()).toEqual(["counterexample", "executions", "limit", "schemaVersion", "verdict", "wallMs"]);
    expect(j).toMatchObject({
      verdict: "counterexample",
      limit: null,
      counterexample: { omissions: [{ from: "a", to: "b", time: 1 }], crashes: [{ node: "a", time: 2 }], missing: ["c:hello"] },
    });
    const text = await maze([twin("retry_delivery.ts"), "--eot", "4", "--eff", "2", "--crashes", "1"]);
    const replay = /replay: maze run (.*)$/m.exec(text.out)?.[1]?.split(" ") ?? [];
    expect(replay.slice(1)).toEqual(["--eot", "4", "--omit", "a,b,1", "--crash", "a,2"]);
    const run = await maze([twin("retry_delivery.ts"), ...replay.slice(1), "--json"], runCommand);
    expect(run.code).toBe(0);
    const rj = JSON.parse(run.out) as { post: string[]; pre: string[]; states: Record<string, unknown> };
    expect(rj.pre).toContain("c:hello");
    expect(rj.post).not.toContain("c:hello");
    expect(rj.states["b"]).toEqual({ delivered: [] });
  });

  test("exits 0 when certified and 3 when a limit ends the search", async () => {
    const ok = await maze([twin("2pc_timeout_optimist.ts"), "--eot", "6", "--eff", "0", "--crashes", "1", "--json"]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ verdict: "certified", counterexample: null, limit: null });
    const cut = await maze([twin("2pc.ts"), "--eot", "7", "--eff", "3", "--max-runs", "20", "--json"]);
    expect(cut.code).toBe(3);
    expect(JSON.parse(cut.out)).toMatchObject({ verdict: "inconclusive", executions: 20, limit: "max-runs" });
  });

  test("random and exhaustive strategies", async () => {
    for (const strategy of ["random", "exhaustive"]) {
      const r = await maze([twin("simple_delivery.ts"), "--eot", "4", "--eff", "2", "--strategy", strategy, "--json"]);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.out)).toMatchObject({ verdict: "counterexample" });
    }
  });

  test("writes the HTML report: spacetime from the trace, the support of the lost key, the replay command", async () => {
    const dir = path.join(tmp, "report");
    const r = await maze([twin("classic_broadcast.ts"), "--eot", "5", "--eff", "3", "--report", dir]);
    expect(r.code).toBe(1);
    const html = fs.readFileSync(path.join(dir, "index.html"), "utf8");
    expect(html).toContain("Lineage of the goal");
    expect(html).toContain("Spacetime diagrams");
    expect(html).toMatch(/maze run \S*classic_broadcast\.ts --eot 5 --omit/);
    expect(html).not.toMatch(/<script/);
  });

  test("errors exit 2 and name the file, node and handler", async () => {
    const bad = path.join(tmp, "bad.ts");
    fs.writeFileSync(
      bad,
      'import { defineSimProtocol } from "maze";\nexport default defineSimProtocol({ nodes: ["a", "b"], node: (self) => ({ onStart: (ctx) => { if (self === "a") ctx.send("b", 1); }, onMessage: () => { throw new Error("kaput"); }, inspect: () => 0 }), pre: () => [], post: () => ["k"] });\n',
    );
    const r = await maze([bad, "--eot", "3"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`maze ldfi: ${bad}: node b at t=2 in onMessage: threw: kaput`);
    expect((await maze([bad, twin("../delivery_assert.ded")])).err).toMatch(/a protocol module runs alone/);
    expect((await maze([bad, "--nodes", "a"])).err).toMatch(/--nodes does not apply to a protocol module/);
    expect((await maze([twin("simple_delivery.ts"), "--crashes", "5"])).err).toMatch(/crashes \(5\) exceed the number of nodes \(3\)/);
    expect((await maze([path.join(tmp, "nope.ts")])).code).toBe(2);
    const run = await maze([twin("simple_delivery.ts"), "--omit", "a,zz,1"], runCommand);
    expect(run).toMatchObject({ code: 2 });
    expect(run.err).toMatch(/'zz' in a fault is not a node/);
  });
});
