/**
 * The value of a body or head term under a partial binding of its variables, as the evaluator
 * stores it (interned strings, integer arithmetic with truncating division), or null when it is not
 * determined: an unbound variable, a wildcard, a division by zero, a result past 2^53 - 1 (the run
 * itself raises that as an overflow error, so no stored tuple can hold such a value; "not determined"
 * keeps the analyses that call this conservative).
 */
import type { Term } from "./ast";

/** `constant` encodes a literal (null: not wanted here, e.g. a string where a number is needed). */
export function termValue(
  t: Term,
  binding: { get(name: string): number | undefined },
  constant: (value: string | number) => number | null,
): number | null {
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
      const v = t.op === "+" ? l + r : t.op === "-" ? l - r : t.op === "*" ? l * r + 0 : r === 0 ? null : Math.trunc(l / r) + 0;
      return v !== null && Number.isSafeInteger(v) ? v : null;
    }
  }
}
