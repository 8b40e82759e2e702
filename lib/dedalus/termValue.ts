/**
 * The value of a body or head term under a partial binding of its variables, as the evaluator
 * stores it (interned strings, integer arithmetic with truncating division), or null when it is not
 * determined: an unbound variable, a wildcard, a division by zero.
 */
import type { Term } from "./ast";

/** `constant` encodes a literal (null: not wanted here, e.g. a string where a number is needed). */
export function termValue(t: Term, binding: ReadonlyMap<string, number>, constant: (value: string | number) => number | null): number | null {
  switch (t.kind) {
    case "const":
      return constant(t.value);
    case "var":
      return binding.get(t.name) ?? null;
    case "wildcard":
      return null;
    case "binary": {
      const l = termValue(t.left, binding, constant);
      const r = termValue(t.right, binding, constant);
      if (l === null || r === null) return null;
      if (t.op === "+") return l + r;
      if (t.op === "-") return l - r;
      // + 0: no negative zero, as the runtime stores it (join.ts)
      if (t.op === "*") return l * r + 0;
      return r === 0 ? null : Math.trunc(l / r) + 0;
    }
  }
}
