/**
 * The usual lab-1 mistakes, each as an edit of the reference solution's student cells (cell 0 is
 * the PN-Counter, cell 1 the OR-Set). The grading tests assert what each one scores and what the
 * feedback says; they are also the before/after figures of the feedback work.
 */
export type StudentCellEdit = (source: string, index: number) => string;

function replaceOnce(source: string, from: string, to: string): string {
  if (!source.includes(from)) throw new Error(`lab 1 mistake fixture: the solution no longer contains ${JSON.stringify(from)}`);
  return source.replace(from, to);
}

/** join adds the per-replica counts instead of taking their maximum: merging twice counts twice. */
export const summingJoin: StudentCellEdit = (src, i) =>
  i === 0 ? replaceOnce(src, "out[k] = Math.max(out[k] ?? 0, v);", "out[k] = (out[k] ?? 0) + v;") : src;

/** increment and decrement change the state they are given and return it. */
export const mutatingCounter: StudentCellEdit = (src, i) =>
  i === 0
    ? replaceOnce(
        replaceOnce(
          src,
          "increment: (s: PNState, r: string): PNState => ({ p: { ...s.p, [r]: (s.p[r] ?? 0) + 1 }, n: s.n }),",
          "increment: (s: PNState, r: string): PNState => { s.p[r] = (s.p[r] ?? 0) + 1; return s; },",
        ),
        "decrement: (s: PNState, r: string): PNState => ({ p: s.p, n: { ...s.n, [r]: (s.n[r] ?? 0) + 1 } }),",
        "decrement: (s: PNState, r: string): PNState => { s.n[r] = (s.n[r] ?? 0) + 1; return s; },",
      )
    : src;

/** leq compares the adds only: a state that removed x looks no bigger than the one before. */
export const leqIgnoringTombstones: StudentCellEdit = (src, i) =>
  i === 1 ? replaceOnce(src, " &&\n    a.removed.every((d) => b.removed.includes(d)),", ",") : src;

/**
 * A remove-wins set: remove also records the element itself as gone, an add clears that only
 * locally, and join keeps every "gone" mark — so a remove beats a concurrent add.
 */
export const removeWinsSet: StudentCellEdit = (src, i) => {
  if (i !== 1) return src;
  let s = replaceOnce(
    src,
    "type ORState = { adds: Record<string, string[]>; removed: string[]; clock: Record<string, number> };",
    "type ORState = { adds: Record<string, string[]>; removed: string[]; clock: Record<string, number>; gone: string[] };",
  );
  s = replaceOnce(
    s,
    "bottom: (): ORState => ({ adds: {}, removed: [], clock: {} }),",
    "bottom: (): ORState => ({ adds: {}, removed: [], clock: {}, gone: [] }),",
  );
  s = replaceOnce(
    s,
    "return { adds, removed: union(a.removed, b.removed), clock };",
    "return { adds, removed: union(a.removed, b.removed), clock, gone: union(a.gone, b.gone) };",
  );
  s = replaceOnce(
    s,
    "removed: s.removed, clock: { ...s.clock, [r]: n } };",
    "removed: s.removed, clock: { ...s.clock, [r]: n }, gone: s.gone.filter((g) => g !== e) };",
  );
  s = replaceOnce(
    s,
    "remove: (s: ORState, e: string, _r: string): ORState => ({ ...s, removed: union(s.removed, live(s, e)) }),",
    "remove: (s: ORState, e: string, _r: string): ORState => ({ ...s, removed: union(s.removed, live(s, e)), gone: union(s.gone, [e]) }),",
  );
  return replaceOnce(
    s,
    "elements: (s: ORState): string[] => Object.keys(s.adds).filter((e) => live(s, e).length > 0).sort(),",
    "elements: (s: ORState): string[] => Object.keys(s.adds).filter((e) => live(s, e).length > 0 && !s.gone.includes(e)).sort(),",
  );
};

/** A type error in the counter cell: tslab refuses to run the cell, so `pnCounter` is never defined. */
export const typeErrorInCounter: StudentCellEdit = (src, i) =>
  i === 0
    ? replaceOnce(
        src,
        "value: (s: PNState): number => total(s.p) - total(s.n),",
        "value: (s: PNState): number => `${total(s.p) - total(s.n)}`,",
      )
    : src;

/** Every mistake by name, in the order the closing note lists them. */
export const LAB1_MISTAKES: Readonly<Record<string, StudentCellEdit>> = {
  "summing join": summingJoin,
  "mutating counter": mutatingCounter,
  "leq ignoring tombstones": leqIgnoringTombstones,
  "remove-wins set": removeWinsSet,
  "type error": typeErrorInCounter,
};
