// Durability for primary-backup, the twin of pb_assert.ded: once the primary told the client a
// write is durable (pre), both backups store it (post). Keys are the write.
import type { SimRunView } from "maze";

/** What every primary-backup twin's inspect() returns. */
export interface ReplicaState {
  readonly stored: readonly string[];
  /** Writes the primary has told the client are durable. */
  readonly ok: readonly string[];
}

export const PRIMARY = "a";
export const BACKUPS = ["b", "c"] as const;
export const WRITE = "w";

export function pre(run: SimRunView<ReplicaState>): string[] {
  return run.nodes.flatMap((n) => run.state(n).ok);
}

export function post(run: SimRunView<ReplicaState>): string[] {
  return run.state("b").stored.filter((w) => run.state("c").stored.includes(w));
}
