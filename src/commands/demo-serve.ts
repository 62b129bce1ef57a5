import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { CONTROL_HELP, startDemoControl } from '../standins/demo-control.js';
import { demoConfigYaml, startLocalShop } from '../standins/local-shop.js';
import { sampleShop } from '../standins/shoprenter-fixtures.js';
import type { CommandContext } from './context.js';

export const DEFAULT_SERVE_PORT = 8701;

/**
 * `demo --serve`: both stand-ins on fixed loopback ports with the demo's sample orders, until
 * SIGINT/SIGTERM, so `check`, `init-config`, `preview`, `once`, `run` and `approve` can be tried by
 * hand against them, plus a control on the third port to add, cancel and change orders and to
 * stop and start Cashman (issue 17). Its config and suggested ledger live in a temp folder, never
 * in the checkout; the folder is removed at the stop.
 */
export async function demoServe(ctx: CommandContext, portText: string | undefined, waitForStop: () => Promise<void>): Promise<number> {
  const port = portText === undefined ? DEFAULT_SERVE_PORT : Number(portText);
  if (!Number.isInteger(port) || port < 1024 || port > 65533) throw new UsageError('--port must be a whole number from 1024 to 65533 (Cashman gets the next port, the control the one after).');
  const shop = await startLocalShop({ shoprenter: { port }, cashman: { port: port + 1 } });
  const dir = mkdtempSync(join(tmpdir(), 'scs-demo-serve-'));
  // Listening for the stop before saying "Ctrl-C", so a stop right after that line is never missed.
  const stopped = waitForStop();
  let control: Awaited<ReturnType<typeof startDemoControl>> | null = null;
  try {
    shop.shoprenter.addOrders(sampleShop(12, 2026, { start: '2026-11-20T08:00:00' }));
    control = await startDemoControl(shop, port + 2, 1013);
    const configPath = join(dir, 'demo-config.yaml');
    writeFileSync(configPath, demoConfigYaml({ startFrom: '2026-11-01T00:00:00', pilotOrders: 3 }));
    ctx.out(`Stand-ins running: Shoprenter ${shop.shoprenter.url}, Cashman ${shop.cashman.url}, 12 sample orders (1001-1012).`);
    ctx.out(`A matching config is in ${configPath} (a temp folder, removed when this stops). In another terminal, export these and try check, init-config --stdout, preview 1001, once, approve, status:`);
    for (const [key, value] of Object.entries({ ...shop.env, CONFIG_PATH: configPath, DATABASE_PATH: join(dir, 'sync.db') })) ctx.out(`${key}=${value}`);
    ctx.out(`Day-two situations, e.g. curl -X POST ${control.url}/orders/1001/cancel:`);
    for (const line of CONTROL_HELP) ctx.out(`  ${line}`);
    ctx.out('Stop with Ctrl-C.');
    await stopped;
    return 0;
  } finally {
    await control?.close();
    await shop.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Resolves on the first SIGINT or SIGTERM. */
export function untilStopped(ctx: CommandContext): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      ctx.signals?.off('SIGINT', stop);
      ctx.signals?.off('SIGTERM', stop);
      resolve();
    };
    ctx.signals?.on('SIGINT', stop);
    ctx.signals?.on('SIGTERM', stop);
  });
}
