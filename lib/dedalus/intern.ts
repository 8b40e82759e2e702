/**
 * Interned values. Every string constant of a program gets a small integer id once, at compile time;
 * tuples hold only numbers. Integers are stored as themselves: the checker guarantees that each column
 * holds only strings or only integers, so the column's type says how to decode a number. Dedalus has
 * no string operations, so a run creates no string of its own: it only adds the node names its
 * options bring (`nodes`, crashed or omitting nodes) that the program never mentions. An id, once
 * given, never changes meaning, so every run of the program shares one table.
 */
export class Interner {
  private readonly ids = new Map<string, number>();
  private readonly strings: string[] = [];

  /** The id of `s`, assigning the next one on first sight. */
  intern(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.ids.set(s, id);
    }
    return id;
  }

  /** The id of `s`, or -1 when the program never mentions it. */
  lookup(s: string): number {
    return this.ids.get(s) ?? -1;
  }

  /** The string with id `id`. */
  string(id: number): string {
    const s = this.strings[id];
    if (s === undefined) throw new RangeError(`no interned string with id ${id}`);
    return s;
  }

  /** How many strings are interned. */
  get size(): number {
    return this.strings.length;
  }
}
