import * as fs from "node:fs";
import * as path from "node:path";
import type nunjucks from "nunjucks";
import { PROTOCOLS_DIR } from "../lib/protocols/corpus";
import { COURSE } from "./courseMap";

/** One corpus example on the playground: its files' text and the first bounds of protocols/expected.json. */
export interface PlaygroundExample {
  readonly name: string;
  readonly files: Record<string, string>;
  readonly eot: number;
  readonly eff: number;
  readonly crashes: number;
  readonly nodes?: string;
}

interface ExpectedEntry {
  name: string;
  files: string[];
  nodes?: string[];
  bounds: { eot: number; eff: number; crashes: number }[];
}

/** The corpus as playground examples, in protocols/expected.json's order. */
export function playgroundExamples(dir = PROTOCOLS_DIR): PlaygroundExample[] {
  const expected = JSON.parse(fs.readFileSync(path.join(dir, "expected.json"), "utf8")) as { entries: ExpectedEntry[] };
  return expected.entries.map((e) => {
    const b = e.bounds[0] ?? { eot: 3, eff: 2, crashes: 0 };
    const files = Object.fromEntries(e.files.map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")]));
    return { name: e.name, files, eot: b.eot, eff: b.eff, crashes: b.crashes, ...(e.nodes ? { nodes: e.nodes.join(",") } : {}) };
  });
}

/** Renders site/playground.html: the examples travel in the page as JSON (`<` escaped so no text closes the script). */
export function renderPlayground(env: nunjucks.Environment): string {
  const examples = JSON.stringify(playgroundExamples()).replace(/</g, "\\u003c");
  return env.render("playground.njk", { course: COURSE, root: "", examples });
}
