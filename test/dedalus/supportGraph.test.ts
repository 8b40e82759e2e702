/**
 * The support formula builder shares equal sub-formulas by key; no node name may make two different
 * formulas share one (an alive literal once collided with an and-node for a node named "nd2,3").
 */
import fc from "fast-check";
import { FormulaBuilder } from "../../lib/dedalus/supportGraph";

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
