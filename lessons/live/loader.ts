/**
 * On every lesson page (a few KB; runs at DOMContentLoaded): adds Edit / Run to each code cell and
 * Run all / Reset / Stop to the page, restores a reader's saved edits, and defines `window.mazeLive`.
 * The runtime (editor, worker, library) is loaded only on the first Edit, Run or `mazeLive` call,
 * so a page that is only read costs what it did before.
 */
import type { LiveApi, RunResult } from "./liveApi";

interface LiveWindow {
  mazeLive?: LiveApi;
  __mazeLiveRuntime?: { attach(base: string): LiveApi };
}

const w = window as unknown as LiveWindow;

/** The folder this script was loaded from (`.../assets/live/`), so the runtime is found from any page and from file://. */
const base = ((document.currentScript as HTMLScriptElement | null)?.src ?? "").replace(/[^/]*$/, "");

function loadScript(src: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = document.createElement("script");
    s.src = src;
    s.onload = () => resolve();
    s.onerror = () => reject(new Error(`cannot load ${src}`));
    document.head.appendChild(s);
  });
}

let runtime: Promise<LiveApi> | undefined;

/** Loads the runtime once (both scripts), and attaches it to this page. */
function load(): Promise<LiveApi> {
  runtime ??= Promise.all([loadScript(base + "runtime.js"), loadScript(base + "worker.js")]).then(() => {
    const r = w.__mazeLiveRuntime;
    if (!r) throw new Error("the live runtime did not start");
    return r.attach(base);
  });
  return runtime;
}

function cellsOnPage(): HTMLElement[] {
  return Array.from(document.querySelectorAll<HTMLElement>("article.notebook section.cell.code"));
}

function button(label: string, cls: string, title: string, onClick: () => void): HTMLButtonElement {
  const b = document.createElement("button");
  b.type = "button";
  b.className = `live-button ${cls}`;
  b.textContent = label;
  b.title = title;
  b.addEventListener("click", onClick);
  return b;
}

/** The storage key of a cell's saved edit on this page. */
export function editKey(i: number): string {
  return `maze-live:${location.pathname}:${i}`;
}

function report(e: unknown): void {
  const status = document.querySelector(".live-status");
  if (status) status.textContent = `The live runtime failed to load: ${e instanceof Error ? e.message : String(e)}`;
}

function setUp(): void {
  const cells = cellsOnPage();
  const article = document.querySelector("article.notebook");
  const api: LiveApi = {
    ready: () => load().then((r) => r.ready()),
    cells: () => cells.length,
    run: (i: number, options?: { source?: string }): Promise<RunResult> => load().then((r) => r.run(i, options)),
    runAll: () => load().then((r) => r.runAll()),
    stop: () => (runtime ? runtime.then((r) => r.stop()) : Promise.resolve()),
    setTimeLimit: (ms: number) => void load().then((r) => r.setTimeLimit?.(ms)),
  };
  const playground = document.getElementById("maze-playground");
  if (playground) {
    // The playground is a tool, not a page to read: its runtime loads at once.
    api.dedalus = (request) => load().then((r) => r.dedalus!(request));
    w.mazeLive = api;
    void load().catch(report);
    return;
  }
  w.mazeLive = api;
  if (!article || cells.length === 0) return;

  const bar = document.createElement("div");
  bar.className = "live-bar";
  bar.setAttribute("role", "toolbar");
  bar.setAttribute("aria-label", "Run this page's code");
  bar.append(
    button("Run all", "live-run-all", "Run every code cell of this page in order, in a fresh scope", () => void api.runAll().catch(report)),
    button("Stop", "live-stop", "Stop the running cell (the scope is lost)", () => void api.stop()),
    button(
      "Reset",
      "live-reset",
      "Restore the page's code and outputs, forget your edits",
      () =>
        void load()
          .then((r) => r.reset?.())
          .catch(report),
    ),
  );
  const status = document.createElement("span");
  status.className = "live-status";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  status.textContent = "The code on this page runs in your browser: press Run or Edit.";
  bar.append(status);
  article.insertBefore(bar, article.firstChild);

  cells.forEach((cell, i) => {
    cell.dataset["liveCell"] = String(i);
    const tools = document.createElement("div");
    tools.className = "live-tools";
    tools.append(
      button(
        "Edit",
        "live-edit",
        "Edit this cell",
        () =>
          void load()
            .then((r) => r.edit?.(i))
            .catch(report),
      ),
      button("Run", "live-run", "Run this cell in the page's scope (Shift+Enter in the editor)", () => void api.run(i).catch(report)),
    );
    cell.insertBefore(tools, cell.firstChild);
    let saved: string | null;
    try {
      saved = localStorage.getItem(editKey(i));
    } catch {
      saved = null; // storage can be off (private mode, some file:// settings): edits just are not kept
    }
    const code = cell.querySelector("pre.source code");
    if (saved !== null && code) {
      cell.dataset["liveOriginal"] = code.textContent ?? "";
      code.textContent = saved;
      cell.classList.add("live-edited");
    }
  });
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
else setUp();
