/**
 * maze — the shared library behind the notebooks, lessons, slides, CLI and tests.
 *
 * Named re-exports only, one section per concept. Dependency direction:
 * sim, crdt, dedalus <- ldfi <- viz <- cli / kernel / lessons / notebooks.
 *
 * @packageDocumentation
 */

// --- random (seeded PRNG shared by sim, crdt tests, ldfi baselines) ---
export { Random, type Seed } from "./random/random";

// --- sim ---

// --- crdt ---

// --- dedalus ---

// --- ldfi ---

// --- viz ---
