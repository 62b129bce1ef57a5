import { expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { showOnFailure } from '../helpers/failure-output.js';
it('fails', () => {
  const output: string[] = [];
  showOnFailure('probe child', output);
  const r = spawnSync(process.execPath, ['-e', "console.log('CHILD-SAID-HELLO'); process.exit(3)"]);
  output.push(r.stdout.toString());
  process.stdout.write('INPROC-STDOUT-LINE\n');
  console.log('CONSOLE-LOG-LINE');
  expect(r.status).toBe(0);
});
