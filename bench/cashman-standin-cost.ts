import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { CashmanClient } from '../src/cashman/client.js';
import { buildDraft } from '../src/domain/build-draft.js';
import { buildPartner } from '../src/domain/build-partner.js';
import { shopToday } from '../src/domain/shop-clock.js';
import { normalizeOrder } from '../src/shoprenter/normalize-order.js';
import { startCashmanStandin } from '../src/standins/cashman-standin.js';
import { sampleShop } from '../src/standins/shoprenter-fixtures.js';
import { round } from './figures.js';
import { benchMapping } from './shop-data.js';
import { SEND_NOW } from '../src/sync/ports.js';

/**
 * What one Cashman request costs the stand-in (the bench process hosts it next to the daemon, so its
 * CPU is taken from the daemon's 2 cores). The stand-in runs in this process; a child process sends
 * real partner creates (op 9) and drafts (op 1) with the daemon's own CashmanClient, one at a time,
 * so this process's CPU is the stand-in's alone. Prints figures; asserts nothing about time.
 *
 *   npm run build:bench && node dist-bench/bench/cashman-standin-cost.js [requests=3000] [rounds=3]
 */

const LOGIN = { group: 'demo', user: 'api', password: 'secret' };

/** Child: sends `count` requests (alternating op 9 / op 1 per order) to `url`, then reports. */
async function sender(url: string, count: number): Promise<void> {
  const client = new CashmanClient({ apiUrl: url, ...LOGIN, draftOperation: 1 });
  const mapping = benchMapping();
  const today = shopToday(new Date(), mapping.timezone);
  let sent = 0;
  let seq = 0;
  for (const raw of sampleShop(Math.ceil(count / 2) + 200, 7, { addons: false })) {
    if (sent >= count) break;
    const sourced = normalizeOrder(raw);
    if (!sourced.ok) continue;
    const partner = buildPartner(sourced.order);
    if ('reason' in partner) continue;
    const draft = buildDraft(sourced.order, partner, mapping, today);
    if (!draft.ok) continue;
    const partnerCode = `SRB${String(++seq).padStart(7, '0')}`;
    await client.savePartner({ partner, partnerCode, partnerId: null, paymentMethod: null, dueDays: 8 }, SEND_NOW);
    sent += 1;
    if (sent >= count) break;
    await client.createDraft(draft.draft, partnerCode, SEND_NOW);
    sent += 1;
  }
  process.send?.({ sent });
}

async function round1(count: number): Promise<{ cpuUsPerRequest: number; wallUsPerRequest: number; standinUsPerRequest: number }> {
  const standin = await startCashmanStandin(LOGIN);
  try {
    const child = fork(fileURLToPath(import.meta.url), ['--send', standin.url, String(count)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const ready = once(child, 'message');
    const cpu = process.cpuUsage();
    const wall = performance.now();
    const [message] = (await ready) as [{ sent: number }];
    const used = process.cpuUsage(cpu);
    const wallMs = performance.now() - wall;
    await once(child, 'exit');
    if (message.sent !== count || standin.stats.hiba > 0) throw new Error(`sent ${message.sent}/${count}, ${standin.stats.hiba} HIBA answers`);
    const durations = standin.received.map((entry) => entry.durationMs ?? 0);
    return {
      cpuUsPerRequest: round((used.user + used.system) / count, 1),
      wallUsPerRequest: round((wallMs * 1000) / count, 1),
      standinUsPerRequest: round((durations.reduce((a, b) => a + b, 0) * 1000) / durations.length, 1),
    };
  } finally {
    await standin.close();
  }
}

if (process.argv[2] === '--send') {
  await sender(process.argv[3] ?? '', Number(process.argv[4]));
} else {
  const count = Number(process.argv[2] ?? 3000);
  const rounds = Number(process.argv[3] ?? 3);
  await round1(Math.min(count, 500)); // warm-up: JIT and lazy initialisation are not per-request costs
  for (let i = 0; i < rounds; i++) console.log(JSON.stringify({ requests: count, ...(await round1(count)) }));
}
