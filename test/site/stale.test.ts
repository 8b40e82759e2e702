/** Issue 12: a failed build does not leave the previous, complete-looking page of a failing notebook. */
import * as fs from "node:fs";
import * as path from "node:path";
import { executedPath } from "../../kernel/headless/courseFiles";
import { buildSite, removeStalePages } from "../../lessons/buildSite";
import { scratchDir, writeNotebook } from "../kernel/fixtures";

test("the page and deck of a notebook without an executed copy are removed, and the build says so", async () => {
  const dir = scratchDir("site-stale");
  const failing = writeNotebook(dir, "05-failing.ipynb", [{ type: "markdown", source: "# Fails now" }]);
  const fine = writeNotebook(dir, "06-fine.ipynb", [{ type: "markdown", source: "# Still fine" }]);
  const executed = path.join(dir, "executed");
  fs.mkdirSync(executed, { recursive: true });
  fs.copyFileSync(fine, executedPath(fine, executed));
  const site = path.join(dir, "site");
  fs.mkdirSync(path.join(site, "slides"), { recursive: true });
  for (const f of ["05-failing.html", "slides/05-failing.html", "06-fine.html"]) fs.writeFileSync(path.join(site, f), "<html>an earlier build</html>");

  await expect(buildSite({ notebooks: [failing, fine], executedDir: executed, outDir: site })).rejects.toThrow(
    /^no executed copy of .*05-failing\.ipynb: run `npm run notebooks` first \(it stops at a failing notebook\); removed the stale .*site\/05-failing\.html, .*site\/slides\/05-failing\.html so no outdated page looks complete$/,
  );
  expect(fs.existsSync(path.join(site, "05-failing.html"))).toBe(false);
  expect(fs.existsSync(path.join(site, "slides", "05-failing.html"))).toBe(false);
  // a page whose notebook still has its executed copy is left alone
  expect(fs.readFileSync(path.join(site, "06-fine.html"), "utf8")).toBe("<html>an earlier build</html>");
  expect(removeStalePages({ notebooks: [failing, fine], executedDir: executed, outDir: site })).toEqual([{ notebook: expect.stringMatching(/05-failing\.ipynb$/), removed: [] }]);
});
