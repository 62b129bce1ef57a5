import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadRemoteEnv } from '../../src/config/env.js';
import { parseConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/log/logger.js';
import { showOnFailure } from './failure-output.js';
import { createRuntime, type Runtime, type RuntimeOptions } from '../../src/runtime.js';
import { demoConfigYaml, startLocalShop, type LocalShop } from '../../src/standins/local-shop.js';
import type { ShoprenterStandinOptions } from '../../src/standins/shoprenter-standin.js';
import type { CashmanStandinOptions } from '../../src/standins/cashman-standin.js';
import { expectStandinNavClean } from './nav-audit.js';

/** What a test may change about a runtime: timeouts and pacing, the clock, the alert sink. */
export type RuntimeOverrides = Partial<Pick<RuntimeOptions, 'shoprenterTuning' | 'cashmanTimeoutMs' | 'now' | 'alerts' | 'alertTuning' | 'lock'>> & {
  env?: Record<string, string>;
  /** config.yaml text for this runtime only: what a restart after editing the file gets. */
  config?: string;
};

/** Both stand-ins, a temp folder with config.yaml and the ledger, and captured log lines. */
export interface Harness {
  shop: LocalShop;
  dir: string;
  env: Record<string, string> & { CONFIG_PATH: string; DATABASE_PATH: string };
  logs: string[];
  configText: string;
  /** A fresh runtime on the same database file: what a restart of the daemon gets. */
  runtime(overrides?: RuntimeOverrides): Promise<Runtime>;
  close(): Promise<void>;
}

export async function startHarness(
  options: { shoprenter?: ShoprenterStandinOptions; cashman?: CashmanStandinOptions; config?: string; logLevel?: string } = {},
): Promise<Harness> {
  const shop = await startLocalShop({
    shoprenter: { rateLimitPerSecond: 3, ...options.shoprenter },
    cashman: options.cashman ?? {},
  });
  const dir = mkdtempSync(join(tmpdir(), 'scs-e2e-'));
  const configText = options.config ?? demoConfigYaml();
  writeFileSync(join(dir, 'config.yaml'), configText);
  const env = { ...shop.env, CONFIG_PATH: join(dir, 'config.yaml'), DATABASE_PATH: join(dir, 'sync.db'), LOG_LEVEL: options.logLevel ?? 'debug' };
  const logs: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  showOnFailure('the in-process daemon (harness)', logs);
  const open: Runtime[] = [];
  return {
    shop,
    dir,
    env,
    logs,
    configText,
    runtime: async ({ env: envOverrides, config: configOverride, ...overrides } = {}) => {
      const remote = loadRemoteEnv({ ...env, ...envOverrides });
      const logger = createLogger({ level: remote.logLevel, format: 'pretty', stream });
      const runtime = await createRuntime({
        env: remote,
        config: parseConfig(configOverride ?? configText),
        logger,
        ...overrides,
        shoprenterTuning: { retryBaseMs: 50, retryBudgetMs: 5000, ...overrides.shoprenterTuning },
        cashmanTimeoutMs: overrides.cashmanTimeoutMs ?? 2000,
      });
      open.push(runtime);
      return runtime;
    },
    close: async () => {
      for (const runtime of open) runtime.close();
      await shop.close();
      rmSync(dir, { recursive: true, force: true });
      expectStandinNavClean(shop.cashman.received, configText);
    },
  };
}
