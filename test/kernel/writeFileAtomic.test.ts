/** writeFileAtomic: a reader sees the old file or the new one, and a failed write leaves no temp file. */
import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "../../kernel/headless/notebookFormat";
import { tempDir } from "../tempDir";

test("replaces the file's content and leaves only the file", () => {
  const dir = tempDir("atomic");
  const file = path.join(dir, "sub", "page.html");
  writeFileAtomic(file, "one");
  writeFileAtomic(file, "two");
  expect(fs.readFileSync(file, "utf8")).toBe("two");
  expect(fs.readdirSync(path.dirname(file))).toEqual(["page.html"]);
});

test("a rename that fails (the target is a folder) throws and removes its temp file", () => {
  const dir = tempDir("atomic-fail");
  const target = path.join(dir, "taken");
  fs.mkdirSync(path.join(target, "inside"), { recursive: true });
  expect(() => writeFileAtomic(target, "x")).toThrow(/EISDIR|ENOTEMPTY|EEXIST|ENOTDIR/);
  expect(fs.readdirSync(dir)).toEqual(["taken"]);
});
