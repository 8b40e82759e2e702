/**
 * A simulator configuration that cannot describe a real network: a negative latency, a probability
 * outside [0, 1], a partition naming a node that does not exist. `field` is the dotted path of the
 * offending value in the configuration (e.g. `links[2].loss`), so the message points at one place.
 */
export class SimConfigError extends Error {
  override readonly name = "SimConfigError";
  constructor(
    /** Dotted path of the offending field, e.g. `network.latency.min` or `partitions[0].groups`. */
    readonly field: string,
    /** What is wrong with it, in one sentence. */
    readonly problem: string,
  ) {
    super(`invalid simulator config: ${field}: ${problem}`);
  }
}

/**
 * A node handler threw, or broke the handler contract (sent to an unknown node, set a negative
 * timer). Carries where and when, so a lab failure names the node, the simulated time and the event.
 */
export class SimHandlerError extends Error {
  override readonly name = "SimHandlerError";
  constructor(
    readonly node: string,
    readonly time: number,
    /** Which handler was running: `onStart`, `onMessage`, `onTimer` or `onRecover`. */
    readonly handler: string,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`node ${node} at t=${time} in ${handler}: ${problem}`, options);
  }
}
