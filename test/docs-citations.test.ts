import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Issue 17: the docs cited `reference/…` and `SPEC §…`, which are not in the repository. Every
 * tracked document a reader opens must cite only what they can open.
 */
describe('documents cite only what is in the repository', () => {
  it('no markdown, example or compose file names reference/ or SPEC §', () => {
    const files = execFileSync('git', ['ls-files', '*.md', '*.yaml', '*.yml', '.env.example'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(files).toContain('README.md');
    const citations = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) => (/reference\/|reference §|SPEC §|\bnav §/.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(citations).toEqual([]);
  });
});
