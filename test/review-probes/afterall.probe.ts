import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { showOnFailure } from '../helpers/failure-output.js';

// A daemon started for the whole file (as beforeAll helpers do), whose cleanup fails in afterAll.
const output: string[] = [];
beforeAll(() => {
  showOnFailure('probe child', output);
});
it('does its work', () => {
  const r = spawnSync(process.execPath, ['-e', "console.log('CHILD-SAID-HELLO'); console.error('CHILD-CRASH-TRACE'); process.exit(3)"]);
  output.push(r.stdout.toString(), r.stderr.toString());
  process.stdout.write('INPROC-STDOUT-LINE\n');
  expect(1).toBe(1);
});
afterAll(() => {
  throw new Error('AFTERALL-BOOM');
});
