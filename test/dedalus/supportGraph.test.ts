/**
 * The support formula builder shares equal sub-formulas by key; no node name may make two different
 * formulas share one (an alive literal once collided with an and-node for a node named "nd2,3"), and
 * no two channels share a message key (names may hold "|").
 */
import fc from "fast-check";
import { messageKey } from "../../lib/dedalus/messageKey";
import { FormulaBuilder } from "../../lib/dedalus/supportGraph";
import { faultAtoms, type FaultSet } from "../../lib/ldfi/faults";

test("an alive literal never shares a node with a conjunction, whatever the node's name", () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.integer({ min: 2, max: 9 }), { minLength: 2, maxLength: 4 }), (ids) => {
      const b = new FormulaBuilder();
      for (let i = 0; i < 10; i++) b.edge(`k${i}`, { from: "a", to: "b", sendTime: i });
      const and = b.combine("and", ids);
      const sorted = [...ids].sort((x, y) => x - y);
      const alive = b.alive(`nd${sorted.join(",")}`);
      expect(b.nodes[and]?.kind).toBe("and");
      expect(b.nodes[alive]).toEqual({ kind: "alive", node: `nd${sorted.join(",")}` });
      expect(alive).not.toBe(and);
    }),
  );
});

test("message and fault keys stay distinct for node names holding the separators", () => {
  const name = fc.string({ unit: fc.constantFrom("a", "b", "|", " ", '"', ","), maxLength: 4 });
  fc.assert(
    fc.property(name, name, name, name, fc.nat(3), (a, b, c, d, t) => {
      fc.pre(a !== c || b !== d);
      expect(messageKey(a, b, t)).not.toBe(messageKey(c, d, t));
      const f = (from: string, to: string): FaultSet => ({ omissions: [{ from, to, time: t }], crashes: [] });
      expect(faultAtoms(f(a, b))).not.toEqual(faultAtoms(f(c, d)));
    }),
  );
});
