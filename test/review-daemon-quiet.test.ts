import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Review R2: the quiet reporter/environment must never hide a failure or the output that explains it. */
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
function jest(probe: string): { status: number | null; text: string } {
  const r = spawnSync(process.execPath, [join(root, 'node_modules/jest/bin/jest.js'), '--testMatch', `**/review-probes/${probe}`], {
    cwd: root,
    env: { ...process.env, NODE_OPTIONS: '--experimental-vm-modules --disable-warning=ExperimentalWarning' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, text: `${r.stdout}\n${r.stderr}` };
}

describe('review R2: quiet tests', () => {
  it('a failing test shows its child output, its in-process stdout and its console output', () => {
    const r = jest('failing.probe.ts');
    expect(r.status).not.toBe(0);
    expect(r.text).toContain('CHILD-SAID-HELLO');
    expect(r.text).toContain('INPROC-STDOUT-LINE');
    expect(r.text).toContain('CONSOLE-LOG-LINE');
  }, 150_000);

  it('an error thrown in afterAll fails the run and shows the output that explains it (the child crash, the stdout)', () => {
    const r = jest('afterall.probe.ts');
    expect(r.status).not.toBe(0);
    expect(r.text).toContain('AFTERALL-BOOM');
    expect(r.text).toContain('CHILD-CRASH-TRACE');
    expect(r.text).toContain('INPROC-STDOUT-LINE');
  }, 150_000);
});
