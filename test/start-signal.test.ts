import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoConfigYaml, startLocalShop, type LocalShop } from '../src/standins/local-shop.js';
import { requireBuild, spawnCli, waitFor } from './helpers/processes.js';

/**
 * `docker compose stop` while the daemon starts (found by the container smoke run): with a status
 * named in the config (`cancelStatuses: ["Törölve"]`, as the example ships) start-up reads the shop's
 * statuses, and with Shoprenter down that read waits and retries. SIGTERM then must end the
 * process with 0 like any other stop, not kill it by the signal's default.
 */
describe('a stop signal while the daemon starts', () => {
  let shop: LocalShop;
  let dir: string;
  beforeEach(async () => {
    requireBuild();
    shop = await startLocalShop();
    dir = mkdtempSync(join(tmpdir(), 'scs-start-signal-'));
    writeFileSync(join(dir, 'config.yaml'), demoConfigYaml({ cancelStatuses: ['Törölve'] }));
  });
  afterEach(async () => {
    await shop.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['run', 'once'])('%s stopped by SIGTERM while Shoprenter is unreachable at start exits by itself, cleanly', async (command) => {
    const env = {
      ...shop.env,
      // Nothing listens on port 9 (discard): every Shoprenter read is refused and retried.
      SHOPRENTER_API_URL: 'http://127.0.0.1:9/api',
      SHOPRENTER_TOKEN_URL: 'http://127.0.0.1:9/token',
      CONFIG_PATH: join(dir, 'config.yaml'),
      DATABASE_PATH: join(dir, 'sync.db'),
      LOG_LEVEL: 'info',
    };
    const child = spawnCli([command], env, dir);
    await waitFor(() => /NEW ledger created|ledger opened/.test(child.text()), 30_000, 'the start');
    child.process.kill('SIGTERM');
    const exit = await child.exit;
    expect({ signal: exit.signal, code: exit.code }).toEqual({ signal: null, code: command === 'run' ? 0 : 1 });
  }, 120_000);
});
