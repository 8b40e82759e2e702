import * as fs from "node:fs";
import * as path from "node:path";
import { EXIT } from "../lib/cli/exitCodes";
import { measureOnce, type BenchSuite } from "./harness";

/**
 * `npm run bench [-- NAME... --quick]`: runs every `bench/*.bench.ts` suite (compiled in dist/bench)
 * or only the named ones. `--quick` is the smoke run of CI (.ci/run): the smallest sizes, every
 * measurement once, every table and ratio printed. Measured: 34 CPU s for the eight suites (84 s
 * wall at load 10 on 2 shared cores; grading 23 s, live 20 s and course 19 s of it), plus the compile.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  measureOnce(quick);
  const unknown = args.filter((a) => a.startsWith("--") && a !== "--quick");
  if (unknown.length > 0) {
    console.error(`bench: unknown option ${unknown.join(", ")} (usage: npm run bench [-- NAME...] [-- --quick])`);
    process.exit(EXIT.error);
  }
  const wanted = args.filter((a) => !a.startsWith("--"));
  const suites = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith(".bench.js"))
    .map((f) => f.replace(/\.bench\.js$/, ""))
    .filter((name) => wanted.length === 0 || wanted.includes(name))
    .sort();
  if (suites.length === 0) {
    console.error(`bench: no suite matches ${wanted.join(", ")}`);
    process.exit(EXIT.error);
  }
  const started = performance.now();
  for (const name of suites) {
    console.log(`\n# ${name}`);
    const t0 = performance.now();
    const suite = (require(path.join(__dirname, `${name}.bench.js`)) as { run: BenchSuite }).run;
    await suite({ quick });
    console.log(`\n(${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
  console.log(
    `\nbench${quick ? " --quick" : ""}: ${suites.length} suite${suites.length === 1 ? "" : "s"} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(EXIT.failed);
});
