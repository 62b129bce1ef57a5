import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { SHIPPED_NODE_OPTIONS } from '../bench/options.js';

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

  it('the image builds no bench code: npm run build compiles src/ only, and the bench lives outside it', () => {
    // The image runs `npm run build` on the .dockerignore allow-list's files; with rootDir src, a
    // src file importing bench/ fails that build instead of shipping it.
    const tsconfig = JSON.parse(readFileSync('tsconfig.json', 'utf8')) as { include: string[]; compilerOptions: { rootDir: string; outDir: string } };
    expect(tsconfig.include).toEqual(['src']);
    expect(tsconfig.compilerOptions.rootDir).toBe('src');
    expect(existsSync('src/bench')).toBe(false);
    expect(existsSync('bench/run.ts')).toBe(true);
    const allowed = readFileSync('.dockerignore', 'utf8').split('\n').filter((line) => line.startsWith('!'));
    expect(allowed.filter((line) => /bench/i.test(line))).toEqual([]);
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['build']).toBe('tsc -p tsconfig.json');
    expect(pkg.scripts['bench']).toContain('dist-bench/');
  });
});
