/**
 * The page side of the live runtime, loaded on a page's first Edit / Run / `mazeLive` call: it
 * binds each code cell to an editor and its outputs area, runs cells through a {@link Session},
 * keeps a reader's edits in localStorage, and implements `window.mazeLive` (liveApi.ts). On the
 * playground page it drives the Dedalus tool instead (playground.ts).
 */
import type { EditorView } from "@codemirror/view";
import { createEditor, setEditorText } from "./editor";
import type { LiveApi, RunResult } from "./liveApi";
import { renderError, renderOutput, svgOf } from "./outputs";
import { attachPlayground } from "./playground";
import { Session } from "./session";

interface LiveCell {
  readonly section: HTMLElement;
  readonly original: string;
  source: string;
  readonly staticOutputs: string | null;
  outputs: HTMLElement;
  editor?: EditorView;
}

function editKey(i: number): string {
  return `maze-live:${location.pathname}:${i}`;
}

function store(i: number, text: string | null): void {
  try {
    if (text === null) localStorage.removeItem(editKey(i));
    else localStorage.setItem(editKey(i), text);
  } catch {
    // storage off: edits are not kept, everything else works
  }
}

function workerSource(): string {
  const src = (window as unknown as { __mazeLiveWorkerSource?: string }).__mazeLiveWorkerSource;
  if (!src) throw new Error("the live worker script did not load");
  return src;
}

function attach(base: string): LiveApi {
  const vendor = base.replace(/live\/$/, "vendor/");
  const session = new Session(workerSource(), (spec) => svgOf(spec, vendor));
  const playground = document.getElementById("maze-playground");
  if (playground) return attachPlayground(playground, session, vendor);

  const status = document.querySelector<HTMLElement>(".live-status");
  const say = (text: string): void => {
    if (status) status.textContent = text;
  };
  const cells: LiveCell[] = Array.from(document.querySelectorAll<HTMLElement>("article.notebook section.cell.code")).map((section) => {
    const code = section.querySelector("pre.source code");
    let outputs = section.querySelector<HTMLElement>(".outputs");
    const staticOutputs = outputs ? outputs.innerHTML : null;
    if (!outputs) {
      outputs = document.createElement("div");
      outputs.className = "outputs";
      section.append(outputs);
    }
    const source = code?.textContent ?? "";
    // The loader keeps the published code in data-live-original when it showed a saved edit instead.
    return { section, original: section.dataset["liveOriginal"] ?? source, source, staticOutputs, outputs };
  });
  outputsLive(cells);

  const runCell = async (i: number, source?: string): Promise<RunResult> => {
    const c = cells[i];
    if (!c)
      return {
        ok: false,
        ms: 0,
        outputs: [],
        error: `no cell ${i}: this page has ${cells.length} runnable cells (0..${cells.length - 1})`,
      };
    if (source !== undefined && source !== c.source) {
      c.source = source;
      if (c.editor) setEditorText(c.editor, source);
      else setCodeText(c, source);
      store(i, source === c.original ? null : source);
    }
    c.section.classList.add("live-running");
    c.section.setAttribute("aria-busy", "true");
    const fresh = document.createElement("div");
    fresh.className = "outputs live-outputs";
    fresh.setAttribute("aria-live", "polite");
    c.outputs.replaceWith(fresh);
    c.outputs = fresh;
    const nodes: HTMLElement[] = [];
    say(`Running cell ${i + 1} of ${cells.length}…`);
    const result = await session.run(i, c.source, {
      output: (index, o) => {
        const node = renderOutput(o, vendor);
        const old = nodes[index];
        if (old) old.replaceWith(node);
        else fresh.append(node);
        nodes[index] = node;
      },
    });
    if (result.error) fresh.append(renderError(result.error));
    c.section.classList.remove("live-running");
    c.section.removeAttribute("aria-busy");
    c.section.classList.toggle("live-failed", !result.ok);
    say(result.ok ? `Cell ${i + 1} ran in ${Math.round(result.ms)} ms.` : `Cell ${i + 1}: ${result.error ?? "failed"}`);
    return result;
  };

  const api: LiveApi = {
    ready: () => session.start(),
    cells: () => cells.length,
    setTimeLimit: (ms) => {
      if (Number.isFinite(ms) && ms > 0) session.timeLimitMs = ms;
    },
    run: (i, options) => runCell(i, options?.source),
    runAll: async () => {
      session.stop("stopped");
      await session.start();
      const results: RunResult[] = [];
      let failed = false;
      for (let i = 0; i < cells.length; i++) {
        if (failed) {
          results.push({ ok: false, ms: 0, outputs: [], error: "not run" });
          continue;
        }
        const r = await runCell(i);
        results.push(r);
        failed = !r.ok;
      }
      say(failed ? `Stopped at a failing cell (${results.findIndex((r) => !r.ok) + 1}).` : `Ran ${cells.length} cells.`);
      return results;
    },
    stop: async () => {
      session.stop("stopped");
      say("Stopped: the page's scope was reset; run the cells again from the top.");
    },
    edit: (i) => {
      const c = cells[i];
      if (!c) return;
      if (c.editor) {
        c.editor.focus();
        return;
      }
      const pre = c.section.querySelector("pre.source");
      const host = document.createElement("div");
      host.className = "live-editor";
      pre?.replaceWith(host);
      c.editor = createEditor(
        host,
        c.source,
        "typescript",
        () => void runCell(i),
        (text) => {
          c.source = text;
          store(i, text === c.original ? null : text);
          c.section.classList.toggle("live-edited", text !== c.original);
        },
        `Code of cell ${i + 1}`,
      );
      c.editor.focus();
    },
    reset: () => {
      session.stop("stopped");
      cells.forEach((c, i) => {
        store(i, null);
        c.source = c.original;
        if (c.editor) setEditorText(c.editor, c.original);
        else setCodeText(c, c.original);
        c.section.classList.remove("live-edited", "live-failed");
        const restored = document.createElement("div");
        restored.className = "outputs";
        restored.innerHTML = c.staticOutputs ?? "";
        c.outputs.replaceWith(restored);
        c.outputs = restored;
      });
      say("Reset: the page's code and outputs are as published.");
    },
  };
  return api;
}

function setCodeText(c: LiveCell, text: string): void {
  const code = c.section.querySelector("pre.source code");
  if (code) code.textContent = text;
}

/** Static chart figures keep their SVG; nothing to do beyond marking the areas as live regions. */
function outputsLive(cells: readonly LiveCell[]): void {
  for (const c of cells) c.outputs.setAttribute("aria-live", "polite");
}

(window as unknown as { __mazeLiveRuntime: { attach(base: string): LiveApi } }).__mazeLiveRuntime = { attach };
