import { mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { EmailChannel } from '../src/alerts/email-channel.js';
import { loadAlertEmail } from '../src/config/alert-email-env.js';
import { silentLogger } from '../src/log/logger.js';
import { AlertOutbox } from '../src/store/alert-outbox.js';
import { Ledger } from '../src/store/ledger.js';
import { AlertDelivery } from '../src/sync/alert-delivery.js';
import { OutboxAlerter } from '../src/sync/alerts.js';

/**
 * Alert e-mail delivery under a failing SMTP server, with the shipped delivery defaults (10 s
 * request budget, backoff 15 s doubling, 10 s burst settle). A real SMTP server on 127.0.0.1 with
 * AUTH after STARTTLS; a burst of alerts raised while it (a) refuses every message with 451 for
 * `failSeconds`, (b) is down (connection refused) for `failSeconds`. Prints, per case: e-mails
 * accepted, alerts they carried, duplicates, lost, SMTP attempts, and how long after the server
 * recovered the alerts arrived.
 * Run: npm run build:bench && node dist-bench/bench/alert-email.js [alerts, default 300] [failSeconds, default 60]
 */
async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? '300');
  const failSeconds = Number(process.argv[3] ?? '60');
  for (const mode of ['refuse-451', 'down'] as const) {
    const figures = await runCase(mode, count, failSeconds);
    console.log(
      `${mode}: ${count} alerts raised at t=0 while the server fails for ${failSeconds} s -> ${figures.mails} e-mail(s) accepted carrying ${figures.carried} alert(s); ` +
        `duplicates ${figures.carried - figures.unique}, lost ${count - figures.unique}; ${figures.attempts} SMTP attempt(s); ` +
        `delivered ${figures.afterRecoverySeconds.toFixed(1)} s after the server recovered (${figures.totalSeconds.toFixed(1)} s after the burst).`,
    );
  }
}

async function runCase(mode: 'refuse-451' | 'down', count: number, failSeconds: number) {
  const user = 'bench@shop.example.hu';
  const password = 'bench-password';
  let failing = true;
  let attempts = 0;
  let mails = 0;
  const carried: string[] = [];
  const make = () =>
    new SMTPServer({
      logger: false,
      allowInsecureAuth: false,
      onAuth: (auth, _s, cb) => (auth.username === user && auth.password === password ? cb(null, { user }) : cb(new Error('bad login'))),
      onData(stream, _s, cb) {
        let body = '';
        stream.on('data', (c: Buffer) => (body += c.toString('utf8')));
        stream.on('end', () => {
          attempts += 1;
          if (failing) return cb(Object.assign(new Error('try later'), { responseCode: 451 }));
          mails += 1;
          void simpleParser(body).then((parsed) => {
            carried.push(...((parsed.text ?? '').match(/^\d+\. (9\d{5}): /gm) ?? []).map((line) => line.slice(line.indexOf(' ') + 1, -2)));
            cb();
          });
        });
      },
    });
  let server = make();
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const port = (server.server.address() as AddressInfo).port;
  if (mode === 'down') await new Promise<void>((resolve) => server.close(() => resolve()));
  const dir = mkdtempSync(join(tmpdir(), 'scs-bench-alerts-'));
  const ledger = Ledger.open(join(dir, 'sync.db'));
  const outbox = new AlertOutbox(ledger.db);
  const settings = loadAlertEmail({ SMTP_URL: `smtp://${encodeURIComponent(user)}:${password}@127.0.0.1:${port}`, ALERT_EMAIL_TO: 'owner@shop.example.hu', ALERT_EMAIL_FROM: user })!;
  const channel = new EmailChannel(settings, 'hu', 'bench', 10_000);
  const originalDeliver = channel.deliver.bind(channel);
  // Connection-refused attempts never reach onData: count them here.
  channel.deliver = async (events, signal) => {
    if (mode === 'down' && failing) attempts += 1;
    return originalDeliver(events, signal);
  };
  const delivery = new AlertDelivery({ outbox, holdsWriterLock: () => true, channels: [channel], logger: silentLogger, now: () => new Date() });
  const alerter = new OutboxAlerter(outbox, ['email'], silentLogger, { enqueued: () => delivery.wake() });
  const start = Date.now();
  for (let i = 0; i < count; i++) await alerter.send({ kind: 'quarantined', orderNumber: String(900000 + i), reason: 'Payment method "OTP_SZEP" has no entry under paymentMethods in config.yaml.' });
  delivery.start();
  await new Promise((resolve) => setTimeout(resolve, failSeconds * 1000));
  failing = false;
  const recovered = Date.now();
  if (mode === 'down') {
    server = make();
    server.listen(port, '127.0.0.1');
    await once(server.server, 'listening');
  }
  while (outbox.waitingCounts().email > 0 || carried.length < count) {
    if (Date.now() - recovered > 10 * 60_000) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const done = Date.now();
  delivery.halt();
  ledger.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
  return { mails, carried: carried.length, unique: new Set(carried).size, attempts, afterRecoverySeconds: (done - recovered) / 1000, totalSeconds: (done - start) / 1000 };
}

await main();
