/**
 * The playground's state in the URL fragment, so a link reproduces a run with no server:
 * `#v1=` followed by the percent-escaped JSON of {@link PlaygroundState}. The version prefix lets a
 * later format read old links (or say plainly that it cannot).
 */

/** Everything a playground link carries. */
export interface PlaygroundState {
  readonly files: Record<string, string>;
  readonly command: "check" | "run" | "ldfi";
  readonly eot?: number;
  readonly eff?: number;
  readonly crashes?: number;
  readonly nodes?: string;
  readonly strategy?: "ldfi" | "random" | "exhaustive";
  readonly maxRuns?: number;
}

/** The fragment's version prefix. */
export const FRAGMENT_PREFIX = "#v1=";

/** Encodes a state as a fragment (with its leading `#`). */
export function encodeFragment(state: PlaygroundState): string {
  return FRAGMENT_PREFIX + encodeURIComponent(JSON.stringify(state));
}

/** Decodes a fragment; `{ error }` names what is wrong with it (unknown version, bad JSON, bad fields). */
export function decodeFragment(hash: string): PlaygroundState | { error: string } | null {
  if (hash === "" || hash === "#") return null;
  if (!hash.startsWith(FRAGMENT_PREFIX)) {
    const v = /^#(v\d+)=/.exec(hash)?.[1];
    return {
      error: v
        ? `this link uses format ${v}, which this playground cannot read (it reads v1)`
        : "this link's fragment is not a playground state (#v1=...)",
    };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(decodeURIComponent(hash.slice(FRAGMENT_PREFIX.length)));
  } catch {
    return { error: "this link's program could not be decoded (the fragment is cut or altered)" };
  }
  const o = raw as Partial<PlaygroundState>;
  if (!o || typeof o !== "object" || !o.files || typeof o.files !== "object" || Object.values(o.files).some((t) => typeof t !== "string")) {
    return { error: "this link holds no program files" };
  }
  const command = o.command === "run" || o.command === "ldfi" ? o.command : "check";
  const int = (v: unknown): number | undefined => (typeof v === "number" && Number.isInteger(v) && v >= 0 ? v : undefined);
  const out: { -readonly [K in keyof PlaygroundState]: PlaygroundState[K] } = { files: o.files, command };
  for (const k of ["eot", "eff", "crashes", "maxRuns"] as const) {
    const v = int(o[k]);
    if (v !== undefined) out[k] = v;
  }
  if (typeof o.nodes === "string") out.nodes = o.nodes;
  if (o.strategy === "ldfi" || o.strategy === "random" || o.strategy === "exhaustive") out.strategy = o.strategy;
  return out;
}
