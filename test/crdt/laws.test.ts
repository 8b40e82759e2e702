import { crdtCatalog } from "../../lib/crdt/workloads";
import { describeLatticeLaws } from "./laws";

// One helper, every type: adding a CRDT to the catalog puts it under all the laws.
for (const entry of crdtCatalog) describeLatticeLaws(entry);

test("the catalog covers every CRDT type of DESIGN.md section 7", () => {
  expect(crdtCatalog.map((e) => e.crdt.name)).toEqual(
    expect.arrayContaining([
      "g-counter",
      "pn-counter",
      "lww-register",
      "mv-register",
      "g-set",
      "2p-set",
      "or-set",
      "or-map<pn-counter>",
      "rga",
    ]),
  );
});
