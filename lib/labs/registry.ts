import type { Lab, StudentScope, TestResult } from "./lab";
import { lab1Crdt } from "./lab1Crdt";
import { lab2Broadcast } from "./lab2Broadcast";
import { lab3BugHunt } from "./lab3BugHunt";
import { lab4Calm } from "./lab4Calm";
import { runLab } from "./runLab";

/** Every autograded lab, by the id its notebook names in metadata `maze.lab`. */
export const LABS: Readonly<Record<string, Lab>> = {
  [lab1Crdt.id]: lab1Crdt,
  [lab2Broadcast.id]: lab2Broadcast,
  [lab3BugHunt.id]: lab3BugHunt,
  [lab4Calm.id]: lab4Calm,
};

/** Grades the student's definitions against the lab with the given id (called by the grading cell). */
export async function gradeLab(id: string, scope: StudentScope): Promise<TestResult[]> {
  const lab = LABS[id];
  if (!lab) throw new Error(`unknown lab '${id}' (known: ${Object.keys(LABS).join(", ")})`);
  return runLab(lab, scope);
}
