import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { loadBaseEnv } from '../src/config/env.js';
import { startHarness, type Harness } from './helpers/harness.js';
import { startProc } from './helpers/process.js';

/** A non-loopback IPv4 address of this machine, if it has one. */
function outsideAddress(): string | null {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return null;
}

/** What a GET to host:port gets: a status code, or the connection error's code. */
function probe(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const req = request({ host, port, path: '/healthz', timeout: 5000 }, (res) => {
      res.resume();
      resolve(String(res.statusCode));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.end();
  });
}

/** Issue 17: without Docker, HTTP_PORT must not expose /metrics and the webhook route on every interface. */
describe('HTTP_HOST', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('defaults to 127.0.0.1 and refuses what is not an address', () => {
    expect(loadBaseEnv({ HTTP_PORT: '8080' }).http).toMatchObject({ port: 8080, host: '127.0.0.1' });
    expect(loadBaseEnv({ HTTP_PORT: '8080', HTTP_HOST: '0.0.0.0' }).http).toMatchObject({ host: '0.0.0.0' });
    expect(() => loadBaseEnv({ HTTP_PORT: '8080', HTTP_HOST: 'every' })).toThrow('HTTP_HOST "every" is not an IP address');
  });

  it.each([
    [undefined, 'ECONNREFUSED'],
    ['0.0.0.0', '200'],
  ])('the daemon with HTTP_HOST=%s answers on loopback; from another interface: %s', async (host, outside) => {
    const daemon = startProc(['run'], { ...h.env, LOG_LEVEL: 'info', HTTP_PORT: '0', ...(host ? { HTTP_HOST: host } : {}) });
    try {
      const line = await daemon.waitFor(/http listener started/);
      expect(line).toContain(`host=${host ?? '127.0.0.1'}`);
      const port = Number(/port=(\d+)/.exec(line)![1]);
      await daemon.waitFor(/cycle finished|daemon started/);
      expect(['200', '503']).toContain(await probe('127.0.0.1', port));
      const address = outsideAddress();
      // A machine with loopback only has no other interface to be exposed on.
      if (address !== null) {
        const got = await probe(address, port);
        expect(outside === '200' ? ['200', '503'] : [outside]).toContain(got);
      }
    } finally {
      daemon.child.kill('SIGTERM');
      await daemon.exited;
    }
  }, 60_000);
});
