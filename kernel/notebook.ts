/**
 * What a notebook gets from its one import line, `import * as maze from "maze";`: the whole public
 * library plus the display helpers that only make sense inside a kernel.
 *
 * @packageDocumentation
 */
export * from "../lib/index";
export { show, showSvg, markdown, html, table, displayBundle, notebookScope, VEGALITE_MIME, type MimeBundle } from "./display";
