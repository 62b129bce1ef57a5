import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { demoConfigYaml, startLocalShop } from '../standins/local-shop.js';
import { sampleShop } from '../standins/shoprenter-fixtures.js';
import type { CommandContext } from './context.js';

export const DEFAULT_SERVE_PORT = 8701;

/**
 * `demo --serve`: both stand-ins on fixed loopback ports with the demo's sample orders, until
 * SIGINT/SIGTERM, so `check`, `init-config`, `preview` and `once` can be tried by hand against them.
 * Prints the .env lines that point at them, and writes a matching config when asked.
 */
export async function demoServe(ctx: CommandContext, portText: string | undefined, waitForStop: () => Promise<void>): Promise<number> {
  const port = portText === undefined ? DEFAULT_SERVE_PORT : Number(portText);
  if (!Number.isInteger(port) || port < 1024 || port > 65534) throw new UsageError('--port must be a whole number from 1024 to 65534 (Cashman gets the next port).');
  const shop = await startLocalShop({ shoprenter: { port }, cashman: { port: port + 1 } });
  // Listening for the stop before saying "Ctrl-C", so a stop right after that line is never missed.
  const stopped = waitForStop();
  try {
    shop.shoprenter.addOrders(sampleShop(12, 2026, { start: '2026-11-20T08:00:00' }));
    const configPath = join(process.cwd(), 'demo-config.yaml');
    writeFileSync(configPath, demoConfigYaml({ startFrom: '2026-11-01T00:00:00', pilotOrders: 3 }));
    ctx.out(`Stand-ins running: Shoprenter ${shop.shoprenter.url}, Cashman ${shop.cashman.url}, 12 sample orders (1001-1012).`);
    ctx.out(`A matching config is in ${configPath}. In another terminal, export these and try check, init-config --stdout, preview 1001, once:`);
    for (const [key, value] of Object.entries({ ...shop.env, CONFIG_PATH: configPath, DATABASE_PATH: './demo-data/sync.db' })) ctx.out(`${key}=${value}`);
    ctx.out('Stop with Ctrl-C.');
    await stopped;
    return 0;
  } finally {
    await shop.close();
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
