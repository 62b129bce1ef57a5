import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Ledger } from '../src/store/ledger.js';

/**
 * Issue 17: the README's backup recipe left a world-readable copy of the ledger (buyers' names
 * and addresses). The recipe is taken from the README as written and run here, /data replaced by
 * a temp folder, under the usual umask 022.
 */
describe('the README backup recipe', () => {
  it('makes a copy readable by its owner only (0600) that holds the ledger', () => {
    const readme = readFileSync(join(process.cwd(), 'README.md'), 'utf8');
    const line = readme.split('\n').find((l) => l.startsWith('docker compose exec sync sh -c "'));
    if (!line) throw new Error('the README has no backup line starting with docker compose exec sync sh -c');
    const script = line.slice('docker compose exec sync sh -c "'.length, -1).replace(/\\"/g, '"');
    const dir = mkdtempSync(join(tmpdir(), 'scs-backup-'));
    try {
      Ledger.open(join(dir, 'sync.db')).close();
      // A copy an older recipe left behind, world-readable: an existing file keeps its mode.
      writeFileSync(join(dir, 'backup.db'), '');
      chmodSync(join(dir, 'backup.db'), 0o644);
      const run = spawnSync('sh', ['-c', `umask 022 && ${script.replaceAll('/data/', `${dir}/`)}`], { cwd: process.cwd(), encoding: 'utf8' });
      expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
      expect((statSync(join(dir, 'backup.db')).mode & 0o777).toString(8)).toBe('600');
      const copy = new Database(join(dir, 'backup.db'), { readonly: true });
      try {
        expect(copy.prepare(`SELECT name FROM sqlite_master WHERE name = 'orders'`).get()).toEqual({ name: 'orders' });
      } finally {
        copy.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
