import { exhaustiveSearch, randomSearch } from "./baselines";
import { ldfiSearch } from "./loop";
import type { FaultTarget } from "./observation";
import type { SearchOptions, SearchResult } from "./result";

/** Searches the fault space of `target` with the chosen strategy (LDFI unless said otherwise). */
export function searchFaults(target: FaultTarget, options: SearchOptions): SearchResult {
  switch (options.strategy ?? "ldfi") {
    case "ldfi":
      return ldfiSearch(target, options);
    case "random":
      return randomSearch(target, options);
    case "exhaustive":
      return exhaustiveSearch(target, options);
  }
}
