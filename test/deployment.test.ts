import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { SHIPPED_NODE_OPTIONS } from '../src/bench/options.js';

/** The image, `npm start` and the benchmark must run the daemon with the same heap caps. */
describe('shipped Node options', () => {
  it('are the same in the Dockerfile, npm start and the benchmark', () => {
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    expect(dockerfile).toContain(`NODE_OPTIONS="${SHIPPED_NODE_OPTIONS}"`);
    expect(pkg.scripts['start']).toBe(`node ${SHIPPED_NODE_OPTIONS} dist/main.js run`);
  });

  it('compose keeps the ledger on the volume and the config read-only', () => {
    const compose = readFileSync('docker-compose.yml', 'utf8');
    expect(compose).toContain('./config:/app/config:ro');
    expect(compose).toContain('sync-data:/data');
    expect(compose).toContain('DATABASE_PATH: /data/sync.db');
    expect(compose).toContain('restart: unless-stopped');
    expect(compose).toContain('init: true');
  });
});
