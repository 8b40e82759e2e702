import { FAULT_SCENARIOS, faultGallery, runSequence, receivedOrder } from "../../course/faultGallery";

describe("fault gallery", () => {
  test("a perfect link delivers m1..m6 once each, in order", () => {
    expect(receivedOrder(runSequence())).toEqual([1, 2, 3, 4, 5, 6]);
  });

  test("each scenario shows its fault for some seed among the first ten", () => {
    const rows = Array.from({ length: 10 }, (_, i) => faultGallery(i + 1));
    const some = (fault: string, p: (r: { received: string; missing: string }) => boolean): boolean =>
      rows.some((rs) => rs.filter((r) => r.fault === fault).some(p));
    const nums = (s: string): number[] => s.split(" ").map(Number);
    expect(some("reordering", (r) => nums(r.received).some((n, i, a) => i > 0 && n < (a[i - 1] as number)))).toBe(true);
    expect(some("duplication", (r) => nums(r.received).length > 6)).toBe(true);
    expect(some("loss", (r) => r.missing !== "-")).toBe(true);
    expect(rows.some((rs) => (rs.find((r) => r.fault === "delay")?.slowestMs ?? 0) > 20)).toBe(true);
    for (const rs of rows) {
      expect(rs.find((r) => r.fault === "partition")?.missing).toBe("2 3 4 5");
      expect(rs.find((r) => r.fault === "crash")?.missing).toBe("3 4");
      expect(rs.find((r) => r.fault === "none")?.received).toBe("1 2 3 4 5 6");
      expect(rs.find((r) => r.fault === "none")?.slowestMs).toBe(6);
    }
    expect(FAULT_SCENARIOS.length).toBe(7);
  });

  test("same seed, same gallery", () => {
    expect(faultGallery(7)).toEqual(faultGallery(7));
  });
});
