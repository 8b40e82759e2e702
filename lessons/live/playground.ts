/**
 * The playground page: a Dedalus editor over the corpus programs, `check` / `run` / `ldfi` with
 * progress and Stop, the program and bounds in the URL fragment (fragment.ts), and
 * `mazeLive.dedalus(...)`, which answers with exactly the CLI's `--json` object.
 */
import type { EditorView } from "@codemirror/view";
import { dedalusJsonError } from "../../lib/cli/jsonSchema";
import { createEditor, setEditorText } from "./editor";
import { decodeFragment, encodeFragment, type PlaygroundState } from "./fragment";
import type { DedalusRequest, LiveApi } from "./liveApi";
import { renderOutput } from "./outputs";
import type { PlaygroundReport } from "./playgroundReport";
import type { Session } from "./session";
import type { PlaygroundExample } from "../playgroundPage";

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function must<T extends Element>(root: ParentNode, sel: string): T {
  const e = root.querySelector<T>(sel);
  if (!e) throw new Error(`the playground page lacks ${sel}`);
  return e;
}

/** A request that never rejects: any failure becomes `{ schemaVersion, error, diagnostics: [] }`, as the worker's errors. */
async function safely(p: Promise<{ json: object; report?: object }>): Promise<{ json: object; report?: object }> {
  try {
    return await p;
  } catch (e) {
    return { json: dedalusJsonError(e instanceof Error ? e.message : String(e)) };
  }
}

/** Wires the playground in `root` to `session`; returns the page's `mazeLive`. */
export function attachPlayground(root: HTMLElement, session: Session, vendor: string): LiveApi {
  const examples = JSON.parse(document.getElementById("maze-examples")?.textContent ?? "[]") as PlaygroundExample[];
  const select = must<HTMLSelectElement>(root, "#pg-example");
  const tabs = must<HTMLElement>(root, ".pg-tabs");
  const host = must<HTMLElement>(root, ".pg-editor");
  const progress = must<HTMLElement>(root, ".pg-progress");
  const result = must<HTMLElement>(root, ".pg-result");
  const field = (name: string): HTMLInputElement | HTMLSelectElement => must<HTMLInputElement>(root, `[name="${name}"]`);

  let files: Record<string, string> = {};
  let current = "";
  let editor: EditorView | undefined;

  const showTabs = (): void => {
    tabs.replaceChildren(
      ...Object.keys(files).map((name) => {
        const b = el("button", "pg-tab", name);
        b.type = "button";
        b.setAttribute("aria-pressed", String(name === current));
        b.addEventListener("click", () => open(name));
        return b;
      }),
    );
  };
  const open = (name: string): void => {
    current = name;
    const text = files[name] ?? "";
    if (editor) setEditorText(editor, text);
    else
      editor = createEditor(
        host,
        text,
        "dedalus",
        () => void go("check"),
        (t) => {
          files[current] = t;
        },
        "Dedalus program",
      );
    showTabs();
  };
  const setFields = (s: Partial<PlaygroundState>): void => {
    for (const k of ["eot", "eff", "crashes", "maxRuns"] as const) if (s[k] !== undefined) field(k).value = String(s[k]);
    field("nodes").value = s.nodes ?? "";
    if (s.strategy) field("strategy").value = s.strategy;
  };
  const load = (s: PlaygroundState): void => {
    files = { ...s.files };
    setFields(s);
    open(Object.keys(files)[0] ?? "");
  };
  const state = (command: PlaygroundState["command"]): PlaygroundState => {
    const int = (k: string): number | undefined => (field(k).value.trim() === "" ? undefined : Number(field(k).value));
    const s: { -readonly [K in keyof PlaygroundState]: PlaygroundState[K] } = { files: { ...files }, command };
    for (const k of ["eot", "eff", "crashes", "maxRuns"] as const) {
      const v = int(k);
      if (v !== undefined && Number.isInteger(v)) s[k] = v;
    }
    const nodes = field("nodes").value.trim();
    if (nodes) s.nodes = nodes;
    s.strategy = field("strategy").value as PlaygroundState["strategy"];
    return s;
  };

  examples.forEach((ex, i) => {
    const o = el("option", "", `${ex.name} (EOT ${ex.eot}, EFF ${ex.eff}, crashes ${ex.crashes})`);
    o.value = String(i);
    select.append(o);
  });
  select.addEventListener("change", () => {
    const ex = examples[Number(select.value)];
    if (ex)
      load({ files: ex.files, command: "ldfi", eot: ex.eot, eff: ex.eff, crashes: ex.crashes, ...(ex.nodes ? { nodes: ex.nodes } : {}) });
  });

  const fromHash = (): void => {
    const decoded = decodeFragment(location.hash);
    if (decoded === null) {
      const ex = examples[0];
      if (ex)
        load({ files: ex.files, command: "ldfi", eot: ex.eot, eff: ex.eff, crashes: ex.crashes, ...(ex.nodes ? { nodes: ex.nodes } : {}) });
    } else if ("error" in decoded) {
      progress.textContent = decoded.error;
    } else {
      load(decoded);
      void go(decoded.command, false);
    }
  };

  const requestOf = (s: PlaygroundState): DedalusRequest => ({
    files: s.files,
    command: s.command,
    ...(s.eot !== undefined ? { eot: s.eot } : {}),
    ...(s.command === "ldfi" && s.eff !== undefined ? { eff: s.eff } : {}),
    ...(s.command === "ldfi" && s.crashes !== undefined ? { crashes: s.crashes } : {}),
    ...(s.nodes ? { nodes: s.nodes } : {}),
    ...(s.command === "ldfi" && s.strategy ? { strategy: s.strategy } : {}),
    ...(s.command === "ldfi" && s.maxRuns !== undefined ? { maxRuns: s.maxRuns } : {}),
  });

  const go = async (command: PlaygroundState["command"], updateHash = true): Promise<void> => {
    const s = state(command);
    if (updateHash) history.replaceState(null, "", encodeFragment(s));
    progress.textContent = `${command}…`;
    result.replaceChildren();
    root.setAttribute("aria-busy", "true");
    const t0 = performance.now();
    const { json, report } = await safely(session.dedalus(requestOf(s), { progress: (line) => (progress.textContent = line) }, true));
    root.removeAttribute("aria-busy");
    progress.textContent = `${command} finished in ${Math.round(performance.now() - t0)} ms.`;
    showResult(command, json, report as PlaygroundReport | undefined);
  };

  const showResult = (command: string, json: object, report: PlaygroundReport | undefined): void => {
    const o = json as Record<string, unknown>;
    const summary = el("div", "pg-summary");
    summary.setAttribute("role", "status");
    if (typeof o["error"] === "string") {
      summary.append(el("pre", "out out-error", o["error"]));
    } else if (command === "check") {
      summary.append(el("p", "pg-verdict", `${String(o["errors"])} error(s), ${String(o["warnings"])} warning(s)`));
      const diags =
        (o["diagnostics"] as {
          severity: string;
          message: string;
          file: string | null;
          line: number | null;
          col: number | null;
          code: string;
        }[]) ?? [];
      const list = el("ul", "pg-diagnostics");
      for (const d of diags)
        list.append(
          el("li", `pg-${d.severity}`, `${d.file ?? ""}:${d.line ?? ""}:${d.col ?? ""}: ${d.severity}: ${d.message} [${d.code}]`),
        );
      if (diags.length > 0) summary.append(list);
      const calm = o["calm"] as { monotone: boolean; points: { location: string; explanation: string }[] } | null;
      if (calm) {
        summary.append(
          el(
            "p",
            "pg-calm",
            calm.monotone ? "CALM: every rule is monotone — no coordination needed." : `CALM: ${calm.points.length} coordination point(s).`,
          ),
        );
        const pts = el("ul", "pg-points");
        for (const p of calm.points) pts.append(el("li", "", `${p.location}: ${p.explanation}`));
        if (calm.points.length > 0) summary.append(pts);
      }
    } else if (command === "run") {
      const facts = (o["facts"] as { rel: string }[]) ?? [];
      const counts = new Map<string, number>();
      for (const f of facts) counts.set(f.rel, (counts.get(f.rel) ?? 0) + 1);
      summary.append(
        el(
          "p",
          "pg-verdict",
          `${facts.length} facts up to EOT ${String(o["eot"])}: ${[...counts].map(([r, n]) => `${r} ${n}`).join(", ")}`,
        ),
      );
    } else {
      const ce = o["counterexample"] as {
        omissions: { from: string; to: string; time: number }[];
        crashes: { node: string; time: number }[];
        missing: string[];
      } | null;
      summary.append(
        el(
          "p",
          "pg-verdict",
          `${String(o["verdict"])} after ${String(o["executions"])} execution(s)${typeof o["limit"] === "string" ? ` (limit: ${o["limit"]})` : ""}`,
        ),
      );
      if (ce) {
        const faults = [
          ...ce.omissions.map((x) => `omit ${x.from}→${x.to} @${x.time}`),
          ...ce.crashes.map((x) => `crash ${x.node} @${x.time}`),
        ];
        summary.append(el("p", "pg-faults", `faults: ${faults.join(", ") || "none"} · lost while pre held: ${ce.missing.join(", ")}`));
        const link = el("a", "pg-link", "Link to this counterexample");
        link.href = location.href;
        summary.append(link);
      }
    }
    result.append(summary);
    for (const t of report?.tables ?? []) {
      const div = el("div", "out out-html pg-table");
      // Built by maze.table's builder, which escapes every value.
      div.innerHTML = t.html;
      result.append(el("h3", "pg-chart-title", t.title), div);
    }
    for (const c of report?.charts ?? []) {
      const fig = renderOutput(
        {
          mime: "application/vnd.vegalite.v5+json",
          text: "",
          kind: "display",
          bundle: { "application/vnd.vegalite.v5+json": c.spec, "text/plain": c.title },
        },
        vendor,
      );
      const h = el("h3", "pg-chart-title", c.title);
      result.append(h, fig);
    }
    for (const n of report?.notes ?? []) result.append(el("p", "pg-note", n));
    const raw = el("details", "pg-json");
    raw.append(el("summary", "", "The CLI's --json output"), el("pre", "", JSON.stringify(json, null, 2)));
    result.append(raw);
  };

  for (const [sel, command] of [
    [".pg-check", "check"],
    [".pg-run", "run"],
    [".pg-ldfi", "ldfi"],
  ] as const) {
    must<HTMLButtonElement>(root, sel).addEventListener("click", () => void go(command));
  }
  must<HTMLButtonElement>(root, ".pg-stop").addEventListener("click", () => {
    session.stop("stopped");
    progress.textContent = "Stopped.";
  });
  window.addEventListener("hashchange", fromHash);
  fromHash();

  return {
    ready: () => session.start(),
    cells: () => 0,
    run: async (i) => ({ ok: false, ms: 0, outputs: [], error: `no cell ${i}: the playground has no notebook cells` }),
    runAll: async () => [],
    stop: async () => session.stop("stopped"),
    dedalus: async (request) => (await safely(session.dedalus(request))).json,
  };
}
