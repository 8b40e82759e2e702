/** One part of the course map: the path through the talk's ideas. */
export interface CoursePart {
  readonly name: string;
  readonly blurb: string;
  /** Notebook file-name prefixes (e.g. "03") or "labs" that belong to this part. */
  readonly match: (slug: string, isLab: boolean) => boolean;
}

const num =
  (...ns: string[]) =>
  (slug: string, isLab: boolean): boolean =>
    !isLab && ns.some((n) => slug.startsWith(n));

/** Course-wide text shown on every page. */
export const COURSE = {
  title: "Outwards from the Middle of the Maze",
  lede:
    "A hands-on course on why distributed systems are hard, and on the bottom-up ways out: " +
    "objects that converge, programs that tolerate asynchrony, and fault injection guided by lineage.",
  footer: "maze — a TypeScript course after Peter Alvaro's RICON 2014 keynote. Works offline.",
} as const;

/** The course map, in reading order. A lesson that matches no part goes under "More". */
export const PARTS: readonly CoursePart[] = [
  { name: "Start here", blurb: "The kernel, the library and how to read the course.", match: num("00") },
  { name: "Why it is hard", blurb: "Asynchrony and partial failure, and why transactions stopped hiding them.", match: num("01", "02") },
  {
    name: "Object-level consistency",
    blurb: "CRDTs: replicas that converge whatever the delivery order — and where objects are not enough.",
    match: num("03", "04"),
  },
  {
    name: "Flow-level consistency",
    blurb: "Dedalus and the CALM theorem: consistency as tolerance to asynchrony.",
    match: num("05", "06"),
  },
  {
    name: "Fault tolerance by lineage",
    blurb: "Reason backwards from good outcomes; let a solver choose the faults.",
    match: num("07", "08"),
  },
  { name: "Composition", blurb: "Fault-tolerant parts, fragile whole.", match: num("09") },
  {
    name: "Labs",
    blurb: "Autograded: a CRDT, a Dedalus protocol, an LDFI bug hunt, a CALM refactoring, a protocol written as handlers.",
    match: (_s, lab) => lab,
  },
];
