/**
 * The live editor: CodeMirror 6 with TypeScript highlighting for lesson cells and a small Dedalus
 * mode for the playground. Tab is left to the browser so the editor never traps keyboard focus;
 * Shift+Enter (or Ctrl+Enter) runs.
 */
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { typescriptLanguage } from "@codemirror/lang-javascript";
import { defaultHighlightStyle, LanguageSupport, StreamLanguage, syntaxHighlighting, type StringStream } from "@codemirror/language";
import { parseMixed } from "@lezer/common";
import { EditorState } from "@codemirror/state";
import { EditorView, keymap, lineNumbers } from "@codemirror/view";

/** Dedalus (Molly's dialect): comments, strings, numbers, variables (capitalised), `@next`/`@async`, `notin`, `include`. */
const dedalus = StreamLanguage.define<{ inComment: boolean }>({
  name: "dedalus",
  startState: () => ({ inComment: false }),
  token(stream: StringStream, state) {
    if (state.inComment) {
      if (stream.skipTo("*/")) {
        stream.next();
        stream.next();
        state.inComment = false;
      } else stream.skipToEnd();
      return "comment";
    }
    if (stream.eatSpace()) return null;
    if (stream.match("//")) {
      stream.skipToEnd();
      return "comment";
    }
    if (stream.match("/*")) {
      state.inComment = true;
      return "comment";
    }
    if (stream.match(/^"(?:[^"\\]|\\.)*"?/)) return "string";
    if (stream.match(/^@(next|async)\b/)) return "keyword";
    if (stream.match(/^(notin|include)\b/)) return "keyword";
    if (stream.match(/^-?\d+/)) return "number";
    if (stream.match(/^[A-Z_][A-Za-z0-9_]*/)) return "variableName";
    if (stream.match(/^[a-z][A-Za-z0-9_]*/)) return "typeName";
    if (stream.match(":-")) return "operator";
    stream.next();
    return null;
  },
});

/** What makes a template string Dedalus rather than prose: a rule arrow, a temporal suffix or a timestamped fact. */
const DEDALUS_HINT = /:-|@next\b|@async\b|\)@\d+\s*;/;

/**
 * TypeScript where a template string that holds a Dedalus program (a backquoted `const src = ...`, as the
 * lessons write them) is highlighted as Dedalus; `${...}` inside it stays TypeScript.
 */
const typescriptWithDedalus = new LanguageSupport(
  typescriptLanguage.configure({
    wrap: parseMixed((ref, input) => {
      if (ref.name !== "TemplateString" || !DEDALUS_HINT.test(input.read(ref.from, ref.to))) return null;
      const ranges: { from: number; to: number }[] = [];
      let at = ref.from + 1;
      for (let child = ref.node.firstChild; child; child = child.nextSibling) {
        if (child.name !== "Interpolation") continue;
        if (child.from > at) ranges.push({ from: at, to: child.from });
        at = child.to;
      }
      if (ref.to - 1 > at) ranges.push({ from: at, to: ref.to - 1 });
      return ranges.length > 0 ? { parser: dedalus.parser, overlay: ranges } : null;
    }),
  }),
);

/** Creates an editor in `parent` holding `doc`; `onRun` is bound to Shift/Ctrl+Enter, `onChange` hears every edit. */
export function createEditor(
  parent: HTMLElement,
  doc: string,
  language: "typescript" | "dedalus",
  onRun: () => void,
  onChange: (text: string) => void,
  label: string,
): EditorView {
  return new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        lineNumbers(),
        history(),
        keymap.of([
          { key: "Shift-Enter", run: () => (onRun(), true) },
          { key: "Mod-Enter", run: () => (onRun(), true) },
          ...defaultKeymap,
          ...historyKeymap,
        ]),
        language === "typescript" ? typescriptWithDedalus : dedalus,
        syntaxHighlighting(defaultHighlightStyle),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ "aria-label": label }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) onChange(u.state.doc.toString());
        }),
      ],
    }),
  });
}

/** Replaces an editor's whole text. */
export function setEditorText(view: EditorView, text: string): void {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
}
