import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBaseEnv, loadRemoteEnv } from '../config/env.js';
import { parseConfig } from '../config/load-config.js';
import type { InvoiceDraft } from '../domain/draft.js';
import { createLogger } from '../log/logger.js';
import { createRuntime } from '../runtime.js';
import { demoConfigYaml, startLocalShop } from '../standins/local-shop.js';
import { buildShoprenterOrder, sampleShop } from '../standins/shoprenter-fixtures.js';
import { runCycle } from '../sync/cycle.js';
import { approvePilot } from '../store/pilot-store.js';
import type { InvoiceBackend, PartnerRequest } from '../sync/ports.js';
import type { CommandContext } from './context.js';
import { composeEmail } from '../alerts/email-text.js';
import type { AlertLanguage } from '../alerts/texts.js';
import { AlertOutbox } from '../store/alert-outbox.js';
import type { AlertEvent } from '../sync/alerts.js';

type AlertOutboxDb = ConstructorParameters<typeof AlertOutbox>[0];
import { renderDraft } from './render-draft.js';
import { formatSummary } from './sync-commands.js';
import { DEMO_STOCK_YAML, demoStockRound } from './demo-stock.js';

/**
 * `demo`: the real daemon (same runtime, ledger and adapters as `run`) against in-process
 * stand-ins of Shoprenter and Cashman seeded with a dozen varied orders. No account, no network.
 * Four cycles: the backlog under the go-live pilot (three drafts, the rest held), the held orders
 * after "approve", a returning buyer who moved plus one order the config cannot map, and an idle
 * poll that costs one Shoprenter request and no Cashman call. Its ledger is its own, in a temp
 * folder, so its creation is no warning.
 */
export async function demoCommand(ctx: CommandContext, database?: string): Promise<number> {
  const base = loadBaseEnv(ctx.env);
  const dir = mkdtempSync(join(tmpdir(), 'scs-demo-'));
  // Never DATABASE_PATH: demo partners and a demo cursor must not land in a real ledger. Only an
  // explicit --database (the container smoke test, to let `health` judge the demo's cycles).
  const databasePath = database ?? join(dir, 'sync.db');
  const shop = await startLocalShop();
  try {
    const orders = sampleShop(12, 2026, { start: '2026-11-20T08:00:00' });
    shop.shoprenter.addOrders(orders);
    // The pilot as a real go-live has it (issue 17): three drafts, the rest waits for "approve".
    const configText = demoConfigYaml({ startFrom: '2026-11-01T00:00:00', pilotOrders: 3 }) + DEMO_STOCK_YAML;
    writeFileSync(join(dir, 'config.yaml'), configText);
    const env = loadRemoteEnv({ ...shop.env, DATABASE_PATH: databasePath, LOG_LEVEL: ctx.env['LOG_LEVEL'] ?? 'warn', LOG_FORMAT: base.logFormat });
    const logger = createLogger({ level: env.logLevel, format: env.logFormat, ...(ctx.logStream ? { stream: ctx.logStream } : {}) });
    const demoConfig = parseConfig(configText, 'demo config');
    const runtime = await createRuntime({ env, config: demoConfig, logger, lock: 'demo', expectNewLedger: true });
    runtime.deps.backend = narrate(runtime.deps.backend, ctx.out);
    try {
      ctx.out('shoprenter-cashman-sync demo: local stand-ins of Shoprenter and Cashman, 12 sample orders.\n');
      ctx.out('Cycle 1: the backlog, with the go-live pilot on (sync.pilotOrders: 3)');
      ctx.out(formatSummary(await runCycle(runtime.deps)) + '\n');
      ctx.out('The pilot made 3 drafts and holds the rest: on a real go-live you check those drafts in Cashman');
      ctx.out('(partner, lines, VAT, totals), then run "approve". The demo approves now.');
      approvePilot(runtime.ledger, new Date().toISOString());
      ctx.out('Cycle 2: after "approve", the orders the pilot held');
      ctx.out(formatSummary(await runCycle(runtime.deps)) + '\n');

      const returning = orders[0]!;
      shop.shoprenter.addOrders([
        buildShoprenterOrder({
          innerId: 9001,
          dateUpdated: '2026-11-20T20:00:00',
          status: 1,
          email: String(returning['email']),
          phone: '+36 70 555 0101',
          firstname: String(returning['firstname']),
          lastname: String(returning['lastname']),
          billing: { postcode: '9400', city: 'Sopron', address1: 'Várkerület 12.' },
          paymentMethodCode: 'bank_transfer',
          shippingExtension: 'foxpost',
          shippingFee: { gross: 1190, taxRate: 27 },
          products: [{ name: 'Tokaji aszú 5 puttonyos 0,5 l', sku: 'TOK-5P', netPrice: 7866.1417, taxRate: 27, stocks: [1, 0, 1] }],
        }),
        buildShoprenterOrder({
          innerId: 9002,
          dateUpdated: '2026-11-20T20:05:00',
          status: 1,
          email: 'paypal.vevo@example.hu',
          firstname: 'Papp',
          lastname: 'Pál',
          billing: { postcode: '4025', city: 'Debrecen', address1: 'Piac utca 20.' },
          paymentMethodCode: 'paypal',
          shippingExtension: 'gls',
          shippingFee: { gross: 1690, taxRate: 27 },
          products: [{ name: 'Kézműves szappan', sku: 'SZAP-1', netPrice: 1172.4409, taxRate: 27, stocks: [3] }],
        }),
      ]);
      ctx.out('Cycle 3: a returning buyer who moved to Sopron, and a PayPal order the config does not map');
      const alertsBefore = raisedAlerts(runtime.ledger.db).length;
      ctx.out(formatSummary(await runCycle(runtime.deps)) + '\n');
      const raised = raisedAlerts(runtime.ledger.db).slice(alertsBefore);
      for (const line of demoAlertEmail(raised, demoConfig.alerts.language, env.shoprenter.shop)) ctx.out(line);

      const before = { shoprenter: shop.shoprenter.stats.requests, cashman: shop.cashman.stats.requests };
      ctx.out('Cycle 4: nothing new');
      ctx.out(formatSummary(await runCycle(runtime.deps)));
      ctx.out(
        `  cost of the idle cycle: ${shop.shoprenter.stats.requests - before.shoprenter} Shoprenter request(s), ${shop.cashman.stats.requests - before.cashman} Cashman request(s)\n`,
      );
      await demoStockRound(runtime, shop, env, demoConfig, logger, ctx.out);
      const notDone = runtime.ledger.listNotDone();
      ctx.out(`Ledger: ${Object.entries(runtime.ledger.counts()).map(([s, n]) => `${s} ${n}`).join(', ')}`);
      for (const row of notDone) ctx.out(`  order ${row.orderNumber} is ${row.state}: ${row.lastError ?? ''}`);
      ctx.out(`Totals: ${shop.cashman.drafts.length} drafts and ${shop.cashman.partners.size} partners in the Cashman stand-in; ${shop.shoprenter.stats.requests} Shoprenter requests, ${shop.shoprenter.stats.status429} answered 429.`);
      ctx.out('Next: "demo --serve" to try the commands by hand (with a control to cancel and change orders), then README.md to connect your own shop (init-config, check, docker compose up -d).');
    } finally {
      runtime.close();
      await logger.close();
    }
    return 0;
  } finally {
    await shop.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The alert e-mail the owner would get for what the demo raised (SMTP_URL is not used by the demo:
 * it prints the message instead of sending it).
 */
function demoAlertEmail(raised: AlertEvent[], language: AlertLanguage, shop: string): string[] {
  if (raised.length === 0) return [];
  const mail = composeEmail(raised, language, shop);
  return [
    `The alert e-mail the shop owner gets for this (alerts.language: ${language}; with SMTP_URL set it is sent, not printed):`,
    `  Subject: ${mail.subject}`,
    ...mail.text.trimEnd().split('\n').map((line) => `  | ${line}`),
    '',
  ];
}

/** Every alert the demo raised so far, oldest first (the pilot's end included). */
function raisedAlerts(db: AlertOutboxDb): AlertEvent[] {
  return new AlertOutbox(db).raisedBetween('', '9999').map((a) => JSON.parse(a.event) as AlertEvent);
}

/** Prints each partner and draft as Cashman accepts it. */
function narrate(backend: InvoiceBackend, out: (text: string) => void): InvoiceBackend {
  return {
    describePartnerRequest: (request) => backend.describePartnerRequest(request),
    describeDraftRequest: (draft, code) => backend.describeDraftRequest(draft, code),
    checkLogin: () => backend.checkLogin(),
    savePartner: async (request: PartnerRequest, sendAfter: Promise<void>) => {
      const result = await backend.savePartner(request, sendAfter);
      const p = request.partner;
      out(
        `  partner ${request.partnerCode} ${request.partnerId ? 'updated' : 'created'} (Cashman id ${result.partnerId}): ${p.name}${p.taxNumber ? `, tax number ${p.taxNumber}` : ''}, ${p.email}, ${[p.postcode, p.city, p.street].filter(Boolean).join(' ')}`,
      );
      return result;
    },
    createDraft: async (draft: InvoiceDraft, code: string, sendAfter: Promise<void>) => {
      const result = await backend.createDraft(draft, code, sendAfter);
      out(`  draft for order ${draft.orderNumber} -> partner ${code}, Cashman answered "${result.reference ?? ''}"`);
      for (const line of renderDraft(draft, '    ')) out(line);
      return result;
    },
  };
}
