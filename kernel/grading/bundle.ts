import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { PROJECT_ROOT } from "../jupyterPaths";
import { DIST_PARTS, walk } from "./libraryCopy";

/**
 * `maze grade bundle LAB --out FILE.zip`: a Gradescope autograder. Gradescope unpacks the zip into
 * `/autograder/source`, runs `setup.sh` once to build its image, copies `run_autograder` to
 * `/autograder`, and runs it per submission with the submission in `/autograder/submission`; it
 * reads `/autograder/results/results.json`. The zip holds the compiled library and grader, the
 * Dedalus programs, the package manifests and a fresh grading secret — never the instructor
 * solutions, the notebooks or the tests.
 */

/** Node major version setup.sh installs on Gradescope's Ubuntu image. */
export const GRADESCOPE_NODE_MAJOR = 24;

const SETUP_SH = `#!/usr/bin/env bash
# Gradescope image setup (Ubuntu): Node ${GRADESCOPE_NODE_MAJOR} from the official tarball, then the project's
# dependencies from the registry. Runs once, when the autograder image is built.
set -euo pipefail
cd "$(dirname "$0")"
apt-get update -q && apt-get install -y -q curl ca-certificates xz-utils util-linux
ARCH=$(uname -m | sed -e 's/x86_64/x64/' -e 's/aarch64/arm64/')
VERSION=$(curl -fsSL https://nodejs.org/dist/latest-v${GRADESCOPE_NODE_MAJOR}.x/SHASUMS256.txt | grep -o "node-v${GRADESCOPE_NODE_MAJOR}[.0-9]*-linux-$ARCH.tar.xz" | head -1)
curl -fsSL "https://nodejs.org/dist/latest-v${GRADESCOPE_NODE_MAJOR}.x/$VERSION" | tar -xJ -C /usr/local --strip-components=1
node --version
# The compiled grader ships in the zip: install the dependencies only (no compile step).
npm ci --ignore-scripts --no-audit --no-fund
`;

const RUN_AUTOGRADER = `#!/usr/bin/env bash
# Grades one submission: the .ipynb in $AUTOGRADER_ROOT/submission (default /autograder), results in
# $AUTOGRADER_ROOT/results/results.json. Gradescope copies this file to the root; the project is in source/.
set -uo pipefail
ROOT="\${AUTOGRADER_ROOT:-/autograder}"
exec node "$ROOT/source/dist/kernel/grading/gradescope.js" "$ROOT"
`;

/** The project files a Gradescope grader needs, relative to the project root. */
export function bundleFiles(): string[] {
  const files = ["package.json", "package-lock.json", "bin/maze.js", "kernel/linkSelf.js"];
  for (const part of DIST_PARTS)
    for (const f of walk(path.join(PROJECT_ROOT, "dist", part))) if (!f.endsWith(".map")) files.push(path.join("dist", part, f));
  for (const f of walk(path.join(PROJECT_ROOT, "protocols"))) if (f.endsWith(".ded")) files.push(path.join("protocols", f));
  return files.filter((f) => fs.existsSync(path.join(PROJECT_ROOT, f)));
}

interface ZipEntry {
  readonly name: string;
  readonly data: Buffer;
  readonly executable: boolean;
}

/** A zip archive (deflate, Unix permissions so the scripts stay executable). */
export function zipArchive(entries: readonly ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name.split(path.sep).join("/"), "utf8");
    const deflated = zlib.deflateRawSync(e.data);
    const crc = zlib.crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(0, 10); // time and date: 1980, so the archive depends on the files only
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(deflated.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(0, 12);
    central.writeUInt32LE(crc >>> 0, 16);
    central.writeUInt32LE(deflated.length, 20);
    central.writeUInt32LE(e.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((e.executable ? 0o100755 : 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, deflated);
    centrals.push(central, name);
    offset += local.length + name.length + deflated.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

/** Writes the Gradescope autograder zip for a lab; returns how many files and bytes it holds. */
export function writeBundle(lab: string, out: string): { files: number; bytes: number } {
  const entries: ZipEntry[] = [
    { name: "setup.sh", data: Buffer.from(SETUP_SH), executable: true },
    { name: "run_autograder", data: Buffer.from(RUN_AUTOGRADER), executable: true },
    // The lab this autograder grades, and the secret its seeds are derived from (per bundle).
    { name: "grading-lab", data: Buffer.from(lab + "\n"), executable: false },
    { name: "grading-secret", data: Buffer.from(crypto.randomBytes(32).toString("hex") + "\n"), executable: false },
  ];
  for (const f of bundleFiles())
    entries.push({ name: f, data: fs.readFileSync(path.join(PROJECT_ROOT, f)), executable: f === "bin/maze.js" });
  const zip = zipArchive(entries);
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  fs.writeFileSync(out, zip);
  return { files: entries.length, bytes: zip.length };
}
