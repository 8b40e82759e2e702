import * as fs from "node:fs";
import * as path from "node:path";
import { execute, spec } from "../../lib/cli/ldfi";
import * as runCommand from "../../lib/cli/run";
import type { CommandSpec, OptionValues } from "../../lib/cli/command";
import { parseCommandLine } from "../../lib/cli/command";
import { PROTOCOLS } from "./corpus";
import { formatTuple } from "../../lib/dedalus/factText";
import { main } from "../../lib/cli/main";
import { tempDir } from "../tempDir";

/** Runs `maze ldfi ARGS` (or another sub-command) in-process, capturing stdout and stderr. */
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
    const code = await cmd.execute(parsed.values, parsed.positionals);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

const p = (f: string): string => path.join(PROTOCOLS, f);

describe("maze ldfi", () => {
  it("prints the JSON contract and exits 1 on a counterexample", async () => {
    const r = await maze([p("simple_delivery.ded"), p("delivery_assert.ded"), "--eot", "4", "--eff", "2", "--json"]);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out) as Record<string, unknown>;
    expect(Object.keys(j).sort()).toEqual(["counterexample", "executions", "limit", "schemaVersion", "verdict", "wallMs"]);
    expect(j).toMatchObject({
      verdict: "counterexample",
      executions: 2,
      limit: null,
      counterexample: { omissions: [{ from: "a", to: "b", time: 1 }], crashes: [], missing: ['post("c", "hello")'] },
    });
    expect(typeof j["wallMs"]).toBe("number");
  });

  it("exits 0 when certified and 3 when a limit ends the search", async () => {
    const ok = await maze([p("retry_delivery.ded"), p("delivery_assert.ded"), "--eot", "4", "--eff", "2", "--json"]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ verdict: "certified", counterexample: null, limit: null });
    // the whole search takes 18 runs (protocols/expected.json)
    const capped = await maze([
      p("2pc_timeout.ded"),
      p("commit_assert_optimist.ded"),
      ...["--eot", "6", "--eff", "0", "--crashes", "1", "--max-runs", "5", "--json"],
    ]);
    expect(capped.code).toBe(3);
    expect(JSON.parse(capped.out)).toMatchObject({ verdict: "inconclusive", executions: 5, limit: "max-runs" });
  });

  it("gives the same answer for every --jobs, and refuses a --jobs below 1", async () => {
    const args = [p("3pc.ded"), p("commit_assert.ded"), "--eot", "9", "--eff", "7", "--crashes", "1", "--json"];
    const answers: { code: number; rest: object }[] = [];
    // one after the other: maze() captures the process's stdout while it runs
    for (const jobs of ["1", "2"]) {
      const r = await maze([...args, "--jobs", jobs]);
      const { wallMs: _wallMs, ...rest } = JSON.parse(r.out) as { wallMs: number };
      answers.push({ code: r.code, rest });
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[0]?.code).toBe(1);
    const bad = await maze([...args, "--jobs", "0"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("--jobs");
  });

  it("trades lineage time for executions with --join-budget, and refuses a budget below 1 or a protocol module", async () => {
    const args = [p("paxos_synod.ded"), "--eot", "8", "--eff", "2", "--crashes", "1", "--jobs", "1", "--json"];
    const coarse = JSON.parse((await maze([...args, "--join-budget", "1"])).out) as { verdict: string; executions: number };
    const sharp = JSON.parse((await maze(args)).out) as { verdict: string; executions: number };
    // a firing cut short keeps unknown columns: more hypotheses, the same verdict (30 against 12 today)
    expect([coarse.verdict, sharp.verdict]).toEqual(["certified", "certified"]);
    expect(coarse.executions).toBeGreaterThan(sharp.executions);
    const zero = await maze([...args, "--join-budget", "0"]);
    expect([zero.code, zero.err]).toEqual([2, expect.stringContaining("--join-budget must be at least 1")]);
    const handlers = await maze([path.join(PROTOCOLS, "handlers", "simple_delivery.ts"), "--join-budget", "5"]);
    expect([handlers.code, handlers.err]).toEqual([2, expect.stringContaining("--join-budget tunes the lineage of Dedalus programs")]);
  });

  it("finds counterexamples that `maze run` replays as violations", async () => {
    for (const [files, bounds] of [
      [["kafka_isr.ded"], ["--eot", "6", "--eff", "4", "--crashes", "1"]],
      [
        ["3pc.ded", "commit_assert.ded"],
        ["--eot", "8", "--eff", "0", "--crashes", "2"],
      ],
    ] as const) {
      const found = await maze([...files.map(p), ...bounds, "--json"]);
      expect(found.code).toBe(1);
      const ce = JSON.parse(found.out).counterexample as {
        omissions: { from: string; to: string; time: number }[];
        crashes: { node: string; time: number }[];
        missing: string[];
      };
      const eot = Number(bounds[1]);
      const flags = [
        ...ce.omissions.flatMap((o) => ["--omit", `${o.from},${o.to},${o.time}`]),
        ...ce.crashes.flatMap((c) => ["--crash", `${c.node},${c.time}`]),
      ];
      const facts = async (extra: string[]) => {
        const r = await maze([...files.map(p), "--eot", String(eot), "--json", ...extra], runCommand);
        expect(r.code).toBe(0);
        const all = (JSON.parse(r.out) as { facts: { rel: string; time: number; args: (string | number)[] }[] }).facts.filter(
          (f) => f.time === eot,
        );
        const key = (args: (string | number)[]) => formatTuple("post", args);
        return {
          post: new Set(all.filter((f) => f.rel === "post").map((f) => key(f.args))),
          pre: new Set(all.filter((f) => f.rel === "pre").map((f) => key(f.args))),
        };
      };
      const ff = await facts([]);
      const replay = await facts(flags);
      for (const m of ce.missing) {
        expect(ff.post.has(m)).toBe(true);
        expect(replay.post.has(m)).toBe(false);
        expect(replay.pre.has(m)).toBe(true);
      }
    }
  });

  it("ends inconclusive with limit timeout when the time runs out", async () => {
    const r = await maze([p("2pc.ded"), p("commit_assert.ded"), "--eot", "7", "--eff", "3", "--timeout", "0.001", "--json"]);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.out)).toMatchObject({ verdict: "inconclusive", limit: "timeout", counterexample: null });
  });

  it("runs the baselines: exhaustive finds the smallest counterexample, random one within its budget", async () => {
    const ex = await maze([
      p("classic_broadcast.ded"),
      p("delivery_assert.ded"),
      "--eot",
      "5",
      "--eff",
      "3",
      "--strategy",
      "exhaustive",
      "--json",
    ]);
    expect(ex.code).toBe(1);
    expect(JSON.parse(ex.out).counterexample.omissions).toHaveLength(2);
    const rnd = await maze([
      p("classic_broadcast.ded"),
      p("delivery_assert.ded"),
      "--eot",
      "5",
      "--eff",
      "3",
      "--strategy",
      "random",
      "--seed",
      "7",
      "--json",
    ]);
    expect(rnd.code).toBe(1);
    const again = await maze([
      p("classic_broadcast.ded"),
      p("delivery_assert.ded"),
      "--eot",
      "5",
      "--eff",
      "3",
      "--strategy",
      "random",
      "--seed",
      "7",
      "--json",
    ]);
    expect(JSON.parse(again.out).counterexample).toEqual(JSON.parse(rnd.out).counterexample);
  });

  it("prints a replay command that names the faults", async () => {
    const r = await maze([p("2pc.ded"), p("commit_assert.ded"), "--eot", "5", "--eff", "0", "--crashes", "1"]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("faults: crash(C,4)");
    expect(r.out).toMatch(/replay: maze run \S*2pc\.ded \S*commit_assert\.ded --eot 5 --crash C,4/);
  });

  it.each([
    [["--eot", "4"], /nothing derives post/],
    [["--eot", "3", "--eff", "4"], /EFF \(4\) must not exceed EOT \(3\)/],
    [["--nodes", "a,b,zz"], /unknown node 'zz'/],
    [["--crashes=-1"], /--crashes must be at least 0/],
    [["--strategy", "smart"], /--strategy must be ldfi, random or exhaustive/],
    [["--timeout", "soon"], /--timeout expects a positive number/],
    [["--crashes", "4"], /crashes \(4\) exceed the number of nodes \(3\)/],
  ])("rejects bad input %j with exit 2 and a clear message", async (flags, message) => {
    const files =
      flags[1] === "4" && flags[0] === "--eot" ? [p("simple_delivery.ded")] : [p("simple_delivery.ded"), p("delivery_assert.ded")];
    const r = await maze([...files, ...flags]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it("warns when the failure-free pre is not within its post, and certifies an empty post", async () => {
    const dir = tempDir("ldfi");
    const f = path.join(dir, "unfinished.ded");
    fs.writeFileSync(f, 'n("a")@1;\nn(X)@next :- n(X);\npre(X) :- n(X);\npost(X) :- n(X), X != "a";\n');
    const r = await maze([f, "--eot", "3"]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/warning: the failure-free run's pre is not within its post \(pre\("a"\)\)/);
    expect(r.out).toMatch(/no post tuples at EOT: nothing can be violated/);
  });

  it("reports a runtime error of a faulty run with its location and exit 2", async () => {
    const dir = tempDir("ldfi");
    const f = path.join(dir, "divide.ded");
    // b divides by the number of messages it got from a: zero once a's message is lost
    fs.writeFileSync(
      f,
      'n("a", 1)@1;\nn("b", 0)@1;\ngot(M, V)@async :- n(N, V), N == "a", M == "b";\ncount_got(M, count<V>) :- got(M, V);\nratio(M, 10 / C) :- count_got(M, C);\nsure(M) :- n(M, _), notin got(M, _);\nratio(M, 10 / 0) :- sure(M), M == "b";\npre(M) :- n(M, _);\npost(M) :- n(M, _);\n',
    );
    const r = await maze([f, "--eot", "3", "--eff", "2"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/divide\.ded:\d+:\d+/);
  });

  it("reports a syntax error with file:line:col and exit 2", async () => {
    const dir = tempDir("ldfi");
    const bad = path.join(dir, "bad.ded");
    fs.writeFileSync(bad, 'post(X) :- thing(X)\nthing("a")@1;\n');
    const r = await maze([bad]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad\.ded:\d+:\d+/);
  });

  it("writes a self-contained HTML report with escaped text", async () => {
    const dir = tempDir("ldfi-report");
    const r = await maze([
      p("retry_delivery.ded"),
      p("delivery_assert.ded"),
      "--eot",
      "4",
      "--eff",
      "2",
      "--crashes",
      "1",
      "--report",
      dir,
    ]);
    expect(r.code).toBe(1);
    const html = fs.readFileSync(path.join(dir, "index.html"), "utf8");
    expect(html).toContain("<h2>Counterexample</h2>");
    expect(html).toContain("omit(a,b,1) crash(a,2)");
    expect(html).toContain("Lineage of the goal");
    // user text outside the (vega-rendered, already escaped) SVGs goes through escapeHtml
    const outside = html.replace(/<svg[\s\S]*?<\/svg>/g, "");
    expect(outside).toContain("post(&quot;c&quot;, &quot;hello&quot;)");
    expect(outside).not.toContain('post("c"');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThan(3);
    expect(html).toMatch(/stroke-dasharray/);
  });
});

describe("maze --version", () => {
  it("prints the package's version and the Node version, exit 0", async () => {
    let out = "";
    const o = jest.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
    try {
      expect(await main(["--version"])).toBe(0);
    } finally {
      o.mockRestore();
    }
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")) as { version: string };
    expect(out).toBe(`maze ${pkg.version} (node ${process.versions.node})\n`);
  });
});
