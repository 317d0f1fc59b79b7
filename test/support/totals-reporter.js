// Prints jest's totals as one plain closing line, `N passed, N failed`, the form CI reads.
// A suite that could not run at all (compile error, failing beforeAll) counts as failed.
class TotalsReporter {
  onRunComplete(_contexts, results) {
    const suiteErrors = results.testResults.filter((r) => r.testExecError || (r.failureMessage && r.numFailingTests === 0)).length;
    process.stdout.write(`\n${results.numPassedTests} passed, ${results.numFailedTests + suiteErrors} failed\n`);
  }
}
module.exports = TotalsReporter;
