/**
 * What `import * as maze from "maze"` gives a cell in the browser: the browser twin of
 * kernel/notebook.ts — the public library, the course's code and the display helpers, which here
 * send their bundles to the page instead of a Jupyter kernel.
 *
 * @packageDocumentation
 */
export * from "../../lib/index";
export * from "../../course/index";
export { show, showSvg, markdown, html, table, displayBundle, notebookScope, VEGALITE_MIME, type MimeBundle } from "./twins/display";
