import type { ExpectedEntry } from "./corpus";

/** Markers around the generated table in protocols/EXPECTED.md. */
export const TABLE_BEGIN =
  "<!-- BEGIN GENERATED TABLE: from protocols/expected.json by test/ldfi/expected.test.ts (UPDATE=1 rewrites it) -->";
export const TABLE_END = "<!-- END GENERATED TABLE -->";

/** The verdict table of protocols/EXPECTED.md, generated from protocols/expected.json. */
export function expectedTable(entries: readonly ExpectedEntry[]): string {
  const lines = [
    "| protocol | files | EOT/EFF/crashes | expected | Molly says | maze executions | source |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const e of entries) {
    for (const b of e.bounds) {
      const tags = [
        b.figure12 ? "Fig. 12 row" : "",
        b.sweep ? "Fig. 13 sweep" : "",
        b.slow ? "slow: bench / MAZE_SLOW=1" : "",
        b.maze ? `maze: ${b.maze} after ${b.maxRuns ?? 1000} runs` : "",
      ]
        .filter(Boolean)
        .join(", ");
      const molly = b.mollyVerdict ?? (e.molly ? b.verdict : "");
      lines.push(
        `| ${e.name} | ${e.files.map((f) => `\`${f}\``).join(" + ")} | ${b.eot}/${b.eff}/${b.crashes} | **${b.verdict}** | ${molly} | ${b.executions ?? ""} | ${b.source}${tags ? ` (${tags})` : ""} |`,
      );
    }
  }
  return lines.join("\n");
}
