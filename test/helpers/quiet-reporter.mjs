import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { DefaultReporter } from '@jest/reporters';

/**
 * Jest's default reporter, minus everything a passing test file would print: no "PASS" line and
 * none of its console output (the daemon's log lines, the NAV checker's tally, a test's figures).
 * A failing file prints as before — its header, ALL the console output it buffered, its failure
 * messages — so the one line that matters is not buried under thousands that do not. Jest's
 * summary (the 'summary' reporter beside this one) is untouched.
 *
 * Nothing is thrown away: the console output of passing files goes to `outputFile` (default
 * test/results/passing-output.log, git-ignored, rewritten each run), figures included.
 * Needs `verbose: false` (jest.config.js): in verbose mode jest streams console output as it
 * happens instead of buffering it per file, and no reporter can hold it back.
 */
export default class QuietReporter extends DefaultReporter {
  constructor(globalConfig, options = {}) {
    super(globalConfig);
    this.outputFile = resolve(globalConfig.rootDir, options.outputFile ?? 'test/results/passing-output.log');
  }

  onRunStart(aggregatedResults, options) {
    mkdirSync(dirname(this.outputFile), { recursive: true });
    writeFileSync(this.outputFile, `# console output of the passing test files, ${new Date().toISOString()}\n`);
    super.onRunStart(aggregatedResults, options);
  }

  printTestFileHeader(testPath, config, result) {
    if (!passed(result)) {
      super.printTestFileHeader(testPath, config, result);
      return;
    }
    if (!result.console || result.console.length === 0) return;
    const lines = result.console.map((entry) => `[${entry.type}] ${entry.message}`);
    appendFileSync(this.outputFile, `\n== ${relative(config.rootDir, testPath)}\n${lines.join('\n')}\n`);
  }
}

/** No failing test, no error outside a test (a throwing hook or import), no failure message at all. */
function passed(result) {
  return result.numFailingTests === 0 && !result.testExecError && !result.failureMessage;
}
