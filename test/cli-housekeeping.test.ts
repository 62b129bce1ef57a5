import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('housekeeping', () => {
  it('build-base-image.sh takes the image apt sources from this machine, naming no archive host', () => {
    const script = readFileSync('scripts/build-base-image.sh', 'utf8');
    expect(script).not.toMatch(/https?:\/\/[a-z]/i);
    // Its mirror lookup reads both apt formats; run it against a made-up sources folder.
    const dir = mkdtempSync(join(tmpdir(), 'scs-apt-'));
    try {
      writeFileSync(
        join(dir, 'debian.sources'),
        'Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\n\nTypes: deb\nURIs: http://security.example/debian-security\nSuites: bookworm-security\n',
      );
      const fn = script.slice(script.indexOf('find_mirror() {'), script.indexOf('\n}\n', script.indexOf('find_mirror() {')) + 3)
        .replace('/etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources', `${dir}/*.sources`);
      const run = (suite: string) => spawnSync('bash', ['-c', `${fn}\nfind_mirror ${suite}`], { encoding: 'utf8' }).stdout.trim();
      expect(run('bookworm')).toBe('http://mirror.example/debian');
      expect(run('bookworm-security')).toBe('http://security.example/debian-security');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('package.json engines says Node 20, the version shipped and tested', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe('>=20 <21');
  });
});
