// Prints one plain closing line, "N passed, N failed[, N skipped]", after jest's own summary, so
// any CI that reads closing lines sees the counts in a runner-neutral form.
"use strict";
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    process.stdout.write(`${results.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}\n`);
  }
}
module.exports = SummaryReporter;
