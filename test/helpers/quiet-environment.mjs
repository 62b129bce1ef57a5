import { TestEnvironment } from 'jest-environment-node';
import { Buffer } from 'node:buffer';
import process from 'node:process';

/** How much of one source's output a failure shows (its end: where things went wrong). */
const TAIL_LINES = 200;

/**
 * Jest's node environment, plus: when a test fails, the output its child processes and in-process
 * daemons collected during that test (registered with failure-output.ts's showOnFailure) is
 * attached to its failure message.
 * Helpers capture that output instead of streaming it, so a passing test prints nothing.
 */
export default class QuietEnvironment extends TestEnvironment {
  marks = new Map();
  failed = false;
  stdoutChunks = [];

  /**
   * What code under test writes to this process's stdout itself (the daemon's logger writes its
   * lines straight to stdout when a command runs in-process without a log stream) is held here
   * like a child's output: shown under a failing test, never streamed.
   */
  async setup() {
    await super.setup();
    const chunks = [];
    this.stdoutChunks = chunks;
    (this.global.__scsFailureOutput ??= []).push({ label: 'code run in this test file (its stdout)', chunks });
    this.stdoutWrite = process.stdout.write;
    process.stdout.write = (chunk, encoding, callback) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const done = typeof encoding === 'function' ? encoding : callback;
      if (typeof done === 'function') process.nextTick(done);
      return true;
    };
  }

  async teardown() {
    if (this.stdoutWrite) process.stdout.write = this.stdoutWrite;
    await super.teardown();
  }

  sources() {
    return this.global.__scsFailureOutput ?? [];
  }

  async handleTestEvent(event, state) {
    if (event.name === 'test_start') {
      // Sources made before this test (a beforeAll's daemon) show only what this test added.
      this.marks = new Map(this.sources().map((source) => [source, source.chunks.length]));
    }
    if (event.name === 'hook_failure') {
      // A failing beforeAll/afterAll fails the file but no test: what every source gathered goes
      // into the file's console output, which the quiet reporter prints for a failing file.
      this.failed = true;
      for (const source of this.sources()) {
        const text = source.chunks.join('').trimEnd();
        if (text !== '') this.global.console.error(`output of ${source.label} (a ${event.hook.type} hook failed):\n${tail(text)}`);
      }
    }
    if (event.name === 'run_finish' && !this.failed && this.stdoutChunks.length > 0) {
      // A passing file's in-process stdout joins its console output in the passing-output log.
      this.global.console.log(this.stdoutChunks.join('').trimEnd());
    }
    if (event.name === 'test_done' && event.test.errors.length > 0) {
      this.failed = true;
      for (const source of this.sources()) {
        const text = source.chunks.slice(this.marks.get(source) ?? 0).join('');
        if (text.trim() === '') continue;
        const shown = tail(text).split('\n');
        // Attached to the failure itself (one more error of this test, with no stack of its own),
        // so it is printed right under the assertion that failed, in the failure summary too.
        const attached = new Error(`output of ${source.label} during this test:`);
        // Jest reads everything before the first "at …:line:col" line as the message; this node:
        // frame ends it (and is itself left out of the printed stack as a Node internal).
        attached.stack = `${attached.message}\n${shown.map((line) => `  | ${line}`).join('\n')}\n    at captured output (node:internal/captured:1:1)`;
        event.test.errors.push(attached);
      }
    }
    await super.handleTestEvent?.(event, state);
  }
}

/** The end of an output (where things went wrong), at most TAIL_LINES lines. */
function tail(text) {
  const lines = text.trimEnd().split('\n');
  return (lines.length > TAIL_LINES ? [`(first ${lines.length - TAIL_LINES} lines left out)`, ...lines.slice(-TAIL_LINES)] : lines).join('\n');
}
