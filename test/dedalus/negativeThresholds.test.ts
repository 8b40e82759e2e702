/**
 * Thresholds in negative support (negativeSupport.ts, `rise`): a `notin` premise that a new quorum
 * could break holds until enough of the quorum's missing members could come about at once. On the
 * corpus Paxos, `post("y")` is broken by learning "x", which needs proposer a's quorum of two
 * promises for ballot 1, and acceptor A promises it only if b's prepare for ballot 2 to A is lost:
 * so neither loss alone may break the formula (each was a hypothesis with flat blocking tuples),
 * and both together must.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseSource } from "../../lib/dedalus/load";
import { edgeKey, holds, support } from "../../lib/dedalus/provenance";
import { runProgram } from "../../lib/dedalus/runtime";

test("a lost promise is no hypothesis while the quorum it would join needs a second one", () => {
  const text = readFileSync(join(__dirname, "../../protocols/paxos_synod.ded"), "utf8");
  const { program } = parseSource(text, "paxos_synod.ded");
  const run = runProgram(program, { eot: 8, provenance: true });
  const graph = support(run, [{ rel: "post", args: ["y"], time: 8 }]);
  const root = graph.roots[0]!;
  const edges = graph.nodes.flatMap((n) => (n.kind === "edge" ? [n.edge] : []));
  const key = (from: string, to: string, sendTime: number): string => {
    const e = edges.find((x) => x.from === from && x.to === to && x.sendTime === sendTime);
    if (!e) throw new Error(`no edge ${from}->${to}@${sendTime} in the lineage`);
    return edgeKey(e);
  };
  const ba = key("b", "a", 1);
  const bc = key("b", "c", 1);
  expect(holds(graph, root, new Set())).toBe(true);
  expect(holds(graph, root, new Set([ba]))).toBe(true);
  expect(holds(graph, root, new Set([bc]))).toBe(true);
  expect(holds(graph, root, new Set([ba, bc]))).toBe(false);
  // no single message loss breaks the failure-free lineage any more
  expect(edges.filter((e) => !holds(graph, root, new Set([edgeKey(e)])))).toEqual([]);
});
