import fc from "fast-check";
import { cartCheckout, cartContents, checkoutOutcomes, wrongCheckoutsByDelay, SHOPPING_SESSION } from "../../course/cartCheckout";

describe("cart checkout: naive vs sealed", () => {
  test("cart contents depend on the set of action records, not on their order", () => {
    const records = ["00 add milk", "01 add eggs", "02 remove eggs", "03 add milk", "04 remove milk", "05 add jam"];
    fc.assert(
      fc.property(fc.shuffledSubarray(records, { minLength: records.length, maxLength: records.length }), (order) => {
        expect(cartContents(order)).toEqual(["jam", "milk"]);
      }),
      { numRuns: 50 },
    );
  });

  test("the default session means bread, coffee, jam; the cart converges under every policy", () => {
    const r = cartCheckout({ seed: 4 });
    expect(r.intended).toEqual(["bread", "coffee", "jam"]);
    expect(r.converged).toBe(true);
    expect(cartCheckout({ seed: 4, policy: "sealed" }).converged).toBe(true);
  });

  test("sealed checkouts ship the intended cart under every schedule; naive ones ship several different carts", () => {
    const outcomes = checkoutOutcomes(30);
    const sealed = outcomes.filter((o) => o.policy === "sealed");
    expect(sealed).toEqual([{ policy: "sealed", shipped: "bread, coffee, jam", correct: true, runs: 30 }]);
    const naive = outcomes.filter((o) => o.policy === "naive");
    expect(naive.length).toBeGreaterThan(1);
    expect(naive.reduce((s, o) => s + o.runs, 0)).toBe(30);
    expect(naive.some((o) => !o.correct)).toBe(true);
  });

  test("a sealed checkout waits rather than ship a wrong cart when a partition never heals", () => {
    const partitions = [{ at: 0, groups: [["a"], ["b", "c", "shopper"]] }];
    const results = Array.from({ length: 8 }, (_, i) => cartCheckout({ seed: i + 1, policy: "sealed", partitions }));
    expect(results.every((r) => r.shipped === undefined || r.correct)).toBe(true);
    expect(results.some((r) => r.shipped === undefined)).toBe(true);
  });

  test("under a long partition the naive checkout ships at once, the sealed one after the heal, and right", () => {
    const partitions = [{ at: 82, heal: 600, groups: [["a"], ["b", "c", "shopper"]] }];
    let waitedForHeal = 0,
      naiveWrong = 0;
    for (let seed = 1; seed <= 6; seed++) {
      const naive = cartCheckout({ seed, partitions, checkoutTo: "b" });
      const sealed = cartCheckout({ seed, partitions, checkoutTo: "b", policy: "sealed" });
      expect(naive.shippedAt).toBeLessThan(100);
      expect(sealed.correct).toBe(true);
      expect(sealed.converged).toBe(true);
      if ((sealed.shippedAt ?? 0) >= 600) waitedForHeal++;
      if (!naive.correct) naiveWrong++;
    }
    expect(waitedForHeal).toBeGreaterThan(0);
    expect(naiveWrong).toBeGreaterThan(0);
  });

  test("a checkout sent to an unknown replica is a located error, not a crash inside the simulator", () => {
    expect(() => cartCheckout({ checkoutTo: "z" })).toThrow(/checkoutTo: "z" is not a cart replica/);
  });

  test("waiting longer before a naive checkout makes it wrong less often", () => {
    const [soon, late] = wrongCheckoutsByDelay([0, 150], 20);
    expect(soon?.wrong).toBeGreaterThan(late?.wrong ?? 1);
    expect(SHOPPING_SESSION).toHaveLength(7);
  });
});
