import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoConfigYaml, startLocalShop, type LocalShop } from '../src/standins/local-shop.js';

/**
 * `webhooks register|list|remove` as users run it (the built CLI in a child process) against the
 * Shoprenter stand-in's webHooks resource (reference §10: POST /webHooks with event, status,
 * label and webHookParameters[{type, url}]); and the HTTP settings' config errors.
 */

const MAIN = new URL('../dist/main.js', import.meta.url).pathname;
const SECRET = 'cmd-test-secret-abcdefghijklmnop';

function run(args: string[], env: Record<string, string>, cwd: string): Promise<{ code: number | null; text: string }> {
  const child = spawn(process.execPath, [MAIN, ...args], { cwd, env: { PATH: process.env['PATH'] ?? '', HOME: cwd, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, text: output.join('') })));
}

describe('webhooks command', () => {
  let shop: LocalShop;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error('dist/main.js is missing: run npm run build first');
    shop = await startLocalShop();
    dir = mkdtempSync(join(tmpdir(), 'scs-webhooks-cmd-'));
    writeFileSync(join(dir, 'config.yaml'), demoConfigYaml());
    env = { ...shop.env, CONFIG_PATH: join(dir, 'config.yaml'), DATABASE_PATH: join(dir, 'sync.db'), WEBHOOK_SECRET: SECRET };
  });

  afterAll(async () => {
    await shop?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers order_confirm and order_status_change once, lists them with the secret hidden, and removes only its own', async () => {
    const other = await run(['webhooks', 'register', 'http://127.0.0.1:9443'], { ...env, WEBHOOK_SECRET: 'another-install-secret-0123456789' }, dir);
    expect(other.code).toBe(0);
    shop.shoprenter.resetStats();
    const first = await run(['webhooks', 'register', 'http://127.0.0.1:8443/'], env, dir);
    expect(first.code).toBe(0);
    // Issue 17: this environment has no HTTP_PORT, so the daemon would not listen for the webhooks.
    expect(first.text).toContain('warning: HTTP_PORT is empty, so the daemon does not listen for these webhooks');
    expect(first.text).toMatch(/order_confirm: registered \(id \S+\) -> http:\/\/127\.0\.0\.1:8443\/webhooks\/shoprenter\/<WEBHOOK_SECRET>/);
    expect(first.text).toMatch(/order_status_change: registered/);
    // Creates that Shoprenter accepted: the stand-in's 3 req/s window also holds the previous
    // process's last requests, and a 429 there is waited out by the command (nothing was created).
    const created = () => shop.shoprenter.requestLog.filter((e) => e.method === 'POST' && e.path === '/api/webHooks' && e.status !== 429);
    const posts = created();
    expect(posts).toHaveLength(2);

    const again = await run(['webhooks', 'register', 'http://127.0.0.1:8443'], { ...env, HTTP_PORT: '8080' }, dir);
    expect(again.code).toBe(0);
    expect(again.text).not.toContain('HTTP_PORT is empty');
    expect(again.text).toMatch(/order_confirm: already registered/);
    expect(created()).toHaveLength(2);

    const list = await run(['webhooks', 'list'], env, dir);
    expect(list.code).toBe(0);
    expect(list.text.trim().split('\n')).toHaveLength(4);
    expect(list.text).toMatch(/order_confirm {2}active {2}http:\/\/127\.0\.0\.1:9443\/webhooks\/shoprenter\/<another secret>$/m);
    expect(list.text).toMatch(/order_status_change {2}active {2}http:\/\/127\.0\.0\.1:8443\/webhooks\/shoprenter\/<WEBHOOK_SECRET> {2}\(this daemon\)/);

    const removed = await run(['webhooks', 'remove'], env, dir);
    expect(removed.code).toBe(0);
    expect(removed.text.match(/^removed /gm)).toHaveLength(2);
    const left = await run(['webhooks', 'list'], env, dir);
    expect(left.text.trim().split('\n')).toHaveLength(2);
    expect(left.text).not.toContain('this daemon');

    for (const text of [first.text, again.text, list.text, removed.text]) expect(text).not.toContain(SECRET);
  }, 45_000);

  it('refuses a plain-http public address, a short secret and a bad HTTP_PORT with exit 2 and a sentence naming the fix', async () => {
    const http = await run(['webhooks', 'register', 'http://sync.example.hu'], env, dir);
    expect(http.code).toBe(2);
    expect(http.text).toMatch(/must use https:\/\//);

    const short = await run(['webhooks', 'list'], { ...env, WEBHOOK_SECRET: 'too-short-secret' }, dir);
    expect(short.code).toBe(2);
    expect(short.text).toMatch(/WEBHOOK_SECRET must be at least 24 characters/);
    expect(short.text).not.toContain('too-short-secret');

    const port = await run(['run'], { ...env, HTTP_PORT: '80800' }, dir);
    expect(port.code).toBe(2);
    expect(port.text).toMatch(/HTTP_PORT "80800" is not a port number/);

    const noSecret = await run(['webhooks', 'register', 'https://sync.example.hu'], { ...env, WEBHOOK_SECRET: '' }, dir);
    expect(noSecret.code).toBe(2);
    expect(noSecret.text).toMatch(/WEBHOOK_SECRET is not set/);
  }, 30_000);
});
