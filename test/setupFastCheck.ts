import fc from "fast-check";

// In CI every property test draws the same cases (one fixed seed), so a red build is a regression
// rather than an unlucky new draw; locally each run draws fresh cases and prints the seed on failure.
// `SEED=n` replays a run anywhere. A test that passes its own `seed` keeps it.
const seed = process.env["SEED"] ? Number(process.env["SEED"]) : process.env["CI"] ? 20261125 : undefined;
if (seed !== undefined) fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
