import type { Lab } from "./labContract";
import { lab1Crdt } from "./lab1Crdt";
import { lab2Broadcast } from "./lab2Broadcast";
import { lab3BugHunt } from "./lab3BugHunt";
import { lab4Calm } from "./lab4Calm";
import { lab5Handlers } from "./lab5Handlers";

/** Every autograded lab, by the id its notebook names in metadata `maze.lab`. */
export const LABS: Readonly<Record<string, Lab>> = {
  [lab1Crdt.id]: lab1Crdt,
  [lab2Broadcast.id]: lab2Broadcast,
  [lab3BugHunt.id]: lab3BugHunt,
  [lab4Calm.id]: lab4Calm,
  [lab5Handlers.id]: lab5Handlers,
};
