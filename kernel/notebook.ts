/**
 * What a notebook gets from its one import line, `import * as maze from "maze";`: the public library
 * (lib/index.ts), the course's lesson-specific code (course/index.ts) and the display helpers that
 * only make sense inside a kernel. The rest of the library is `import ... from "maze/internals"`.
 *
 * @packageDocumentation
 */
export * from "../lib/index";
export * from "../course/index";
export { show, showSvg, markdown, html, table, displayBundle, notebookScope, VEGALITE_MIME, type MimeBundle } from "./display";
