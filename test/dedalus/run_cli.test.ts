/** `maze run`: tables, the --json contract, fault flags, and located errors with exit 2. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runMaze } from "../cliCapture";

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "maze-run-"));
  fs.writeFileSync(
    path.join(dir, "bcast.ded"),
    `include "edb.ded";
node(N, M)@next :- node(N, M);
log(M, P)@async :- bcast(N, P), node(N, M);
log(N, P) :- bcast(N, P);
log(N, P)@next :- log(N, P);
count(N, count<P>) :- log(N, P);
`,
  );
  fs.writeFileSync(path.join(dir, "edb.ded"), `node("a", "b")@1; node("a", "c")@1; bcast("a", "hi")@1; bcast("a", "yo")@1;\n`);
  fs.writeFileSync(path.join(dir, "bad.ded"), `p("a")@1;\nq(X, Y) :- p(X);\nr(X) :- p(X) p(X);\n`);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const cli = runMaze;

test("--json prints exactly {schemaVersion, eot, facts} with integers as numbers", async () => {
  const r = await cli(["run", path.join(dir, "bcast.ded"), "--eot", "2", "--nodes", "a,b,c", "--json"]);
  expect(r.code).toBe(0);
  const j = JSON.parse(r.out);
  expect(Object.keys(j)).toEqual(["schemaVersion", "eot", "facts"]);
  expect(j.schemaVersion).toBe(1);
  expect(j.eot).toBe(2);
  expect(j.facts.every((f: object) => Object.keys(f).join() === "rel,time,args")).toBe(true);
  expect(j.facts).toContainEqual({ rel: "count", time: 2, args: ["b", 2] });
  expect(j.facts).toContainEqual({ rel: "log", time: 2, args: ["c", "yo"] });
  expect(j.facts.filter((f: { rel: string }) => f.rel === "log").length).toBe(2 + 6);
});

test("--omit and --crash change the run", async () => {
  const omit = JSON.parse(
    (await cli(["run", path.join(dir, "bcast.ded"), "--eot", "3", "--nodes", "a,b,c", "--omit", "a,b,1", "--json"])).out,
  );
  expect(omit.facts.filter((f: { rel: string; args: string[] }) => f.rel === "log" && f.args[0] === "b")).toEqual([]);
  const crash = JSON.parse(
    (await cli(["run", path.join(dir, "bcast.ded"), "--eot", "3", "--nodes", "a,b,c", "--crash", "a,1", "--json"])).out,
  );
  expect(crash.facts.filter((f: { rel: string; args: string[] }) => f.rel === "log" && f.args[0] !== "a")).toEqual([]);
  expect(crash.facts).toContainEqual({ rel: "crash", time: 1, args: ["b", "a", 1] });
});

test("the readable output has one table per relation with time and node columns", async () => {
  const r = await cli(["run", path.join(dir, "bcast.ded"), "--eot", "2", "--nodes", "a,b,c", "--omit", "a,c,1"]);
  expect(r.code).toBe(0);
  expect(r.out).toContain("eot 2 · nodes a, b, c");
  expect(r.out).toContain('lost messages: log("c", "hi") a->c@1 (omission)');
  expect(r.out).toContain("count (3 tuples)\n  time  node  values\n  1     a     2\n  2     a     2\n  2     b     2");
});

test("a bad program: located errors with carets on stderr, exit 2", async () => {
  const r = await cli(["run", path.join(dir, "bad.ded")]);
  expect(r.code).toBe(2);
  expect(r.out).toBe("");
  expect(r.err).toContain(`${path.join(dir, "bad.ded")}:3:14: error: expected ',' or ';' after a body item, found 'p'`);
  expect(r.err).toContain("3 | r(X) :- p(X) p(X);\n  |              ^");
});

test("checker errors also stop the run", async () => {
  fs.writeFileSync(path.join(dir, "unsafe.ded"), `p("a")@1;\nq(X, Y) :- p(X);\n`);
  const r = await cli(["run", path.join(dir, "unsafe.ded")]);
  expect(r.code).toBe(2);
  expect(r.err).toContain("unsafe.ded:2:6: error: variable Y in the head of 'q' is not bound by a positive body atom");
});

test.each([
  [["--eot", "x"], "--eot expects an integer"],
  [["--omit", "a,b"], "--omit expects from,to,time"],
  [["--crash", "a"], "--crash expects node,time"],
  [["--bogus"], "Unknown option"],
  [["--nodes", "a,b", "--crash", "z,1"], "maze run: --crash z,1: 'z' is not a node of this run (nodes: a,b, from --nodes)"],
  // issue 12: duplicate nodes and faults naming non-nodes (default nodes: the facts' first columns)
  [["--nodes", "a,a,a"], "maze run: --nodes names 'a' more than once (got 'a,a,a')"],
  [["--omit", "zz,yy,1"], "maze run: --omit zz,yy,1: 'zz' is not a node of this run (nodes: a, the first columns of the facts)"],
  [["--crash", "nobody,1"], "maze run: --crash nobody,1: 'nobody' is not a node of this run (nodes: a, the first columns of the facts)"],
])("bad flags %j exit 2 with a message", async (flags, message) => {
  const r = await cli(["run", path.join(dir, "bcast.ded"), ...flags]);
  expect(r.code).toBe(2);
  expect(r.err).toContain(message);
});

test("hitting a bound is an error naming it, exit 2", async () => {
  fs.writeFileSync(path.join(dir, "count.ded"), `n("a", 0)@1;\nn(X, N + 1) :- n(X, N);\n`);
  const r = await cli(["run", path.join(dir, "count.ded"), "--max-tuples", "500"]);
  expect(r.code).toBe(2);
  expect(r.err).toContain("more than 500 tuples (limits.maxTuples)");
});

test("a missing file and no file at all exit 2", async () => {
  expect((await cli(["run", path.join(dir, "nope.ded")])).err).toContain("cannot read input file");
  expect((await cli(["run"])).code).toBe(2);
});
