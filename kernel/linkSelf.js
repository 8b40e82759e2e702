// Makes `import * as maze from "maze"` resolve from every notebook, in Jupyter (tslab's Node10
// module resolution), in the headless runner and in the static build, by linking the package into
// its own node_modules. Runs from `npm install`/`npm ci` (the `prepare` script), and again before
// notebooks execute, because `npm install <pkg>` prunes the link as extraneous.
"use strict";
const fs = require("fs");
const path = require("path");

/** Creates node_modules/maze -> .. unless it is already there; returns true when it had to. */
function ensureSelfLink(root = path.resolve(__dirname, "..")) {
  const link = path.join(root, "node_modules", "maze");
  try {
    const st = fs.lstatSync(link);
    if (st.isSymbolicLink() && path.resolve(path.dirname(link), fs.readlinkSync(link)) === root) return false;
    fs.rmSync(link, { recursive: true, force: true });
  } catch {
    // no link yet
  }
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.symlinkSync("..", link, "dir");
  return true;
}

module.exports = { ensureSelfLink };
if (require.main === module) ensureSelfLink();
