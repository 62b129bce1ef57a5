import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { main } from '../src/cli.js';
import type { MappingConfig } from '../src/domain/mapping-config.js';
import { sharedRateLimiter } from '../src/shoprenter/rate-limiter.js';
import { startLocalShop, type LocalShop } from '../src/standins/local-shop.js';
import { configFor, loadGoldenCases, quarantineMatches, type GoldenCase } from './fixtures/golden/loader.js';
import { budapestDay, plusDays } from './helpers/days.js';
import { expectNavClean, vatTableFrom } from './helpers/nav-audit.js';

/**
 * `preview` on every golden order, served by the Shoprenter stand-in exactly as orderExtend sends
 * it: the real CLI (`main`), the real adapter over HTTP, the config written as config.yaml. The
 * printed request rows must carry the expected draft forint by forint, quarantined orders must
 * print their sentence, and preview must leave no trace: no ledger file, no Cashman request.
 */
const here = dirname(fileURLToPath(import.meta.url));
const cases = loadGoldenCases(join(here, 'fixtures', 'golden'));
const complete = cases.filter((c) => c.wireGap === undefined);
const gapped = cases.filter((c) => c.wireGap !== undefined);
const table = (list: GoldenCase[]) => list.map((c) => [c.file, c] as const);

type Row = Record<string, string>;
interface ExpectedLine {
  name: string;
  sku: string | null;
  note: string | null;
  quantity: string;
  unitId: number;
  vatId: number;
  netUnitPrice: string;
  net: string;
  vat: string;
  gross: string;
}
interface ExpectedDraft {
  buyer: { name: string; postcode: string | null; city: string | null; street: string | null; country: string; taxNumber: string | null; euVatNumber: string | null };
  shipping: { name: string; postcode: string; city: string; street: string; country: string } | null;
  issueDate: string;
  fulfilmentDate: string;
  dueDate: string;
  currency: string;
  decimals: number;
  paymentMethod: string;
  orderNumberText: string;
  note: string | null;
  lines: ExpectedLine[];
  totals: { net: string; vat: string; gross: string };
}

/** The 0 % VAT cases of a case's config (SPEC §1.6), when it maps any. */
function vatExemptionsOf(config: MappingConfig): { vatExemptions?: Record<string, number> } {
  const cases = (config as { vatExemptions?: Record<string, number> }).vatExemptions;
  return cases === undefined ? {} : { vatExemptions: cases };
}

/** What config.yaml must say for the mapping a case was computed with. */
function configYaml(config: MappingConfig): string {
  return stringify({
    version: 1,
    sync: { timezone: config.timezone },
    invoice: {
      operation: 4,
      dueDays: config.invoice.dueDays,
      orderNumberText: config.invoice.orderNumberText,
      lineNames: config.invoice.lineNames,
    },
    partners: { codePrefix: 'SR', codeDigits: 6 },
    vatRates: config.vatRates,
    ...vatExemptionsOf(config),
    units: config.units,
    paymentMethods: config.paymentMethods,
    shippingMethods: config.shippingMethods,
    cashman: { timeoutSeconds: 5 },
  });
}

/** Minor units ("1275") as the decimal text Cashman gets ("12.75"). */
function minorText(minor: string, decimals: number): string {
  if (decimals === 0) return minor;
  const negative = minor.startsWith('-');
  const digits = minor.replace('-', '').padStart(decimals + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}

const LINE_KEYS = [
  'megnevezes',
  'cikkszam',
  'mennyiseg',
  'netto_egysegar',
  'afa_id',
  'mennyisegiegyseg_id',
  'tetel_megjegyzes',
  'tetel_netto',
  'tetel_afa',
  'tetel_brutto',
] as const;

function expectedLineRow(line: ExpectedLine, decimals: number): Row {
  return {
    megnevezes: line.name,
    ...(line.sku === null ? {} : { cikkszam: line.sku }),
    mennyiseg: line.quantity,
    netto_egysegar: line.netUnitPrice,
    afa_id: String(line.vatId),
    mennyisegiegyseg_id: String(line.unitId),
    ...(line.note === null ? {} : { tetel_megjegyzes: line.note }),
    tetel_netto: minorText(line.net, decimals),
    tetel_afa: minorText(line.vat, decimals),
    tetel_brutto: minorText(line.gross, decimals),
  };
}

function lineRow(row: Row): Row {
  return Object.fromEntries(LINE_KEYS.filter((key) => key in row).map((key) => [key, row[key] as string]));
}

let shop: LocalShop;
let dir: string;
const configPaths = new Map<string, string>();

beforeAll(async () => {
  shop = await startLocalShop({ shoprenter: { rateLimitPerSecond: 0 } });
  // The adapter paces every client of a shop through one process-wide 3 req/s budget. This test is
  // about what preview prints, not pacing (rate-limiter and client tests cover that), and ~200
  // paced requests would take over a minute: the first caller sets the budget, so open it up here.
  sharedRateLimiter(shop.env.SHOPRENTER_SHOP ?? 'demo', 1000);
  for (const golden of cases) {
    shop.shoprenter.addOrder(golden.wire);
    if (golden.enrichment) shop.shoprenter.addEnrichment(golden.enrichment);
  }
  dir = mkdtempSync(join(tmpdir(), 'scs-preview-corpus-'));
  const written = new Map<string, string>();
  for (const golden of cases) {
    const text = configYaml(configFor(golden.config));
    let path = written.get(text);
    if (path === undefined) {
      path = join(dir, `config-${written.size + 1}.yaml`);
      writeFileSync(path, text);
      written.set(text, path);
    }
    configPaths.set(golden.file, path);
  }
});

afterAll(async () => {
  await shop.close();
  rmSync(dir, { recursive: true, force: true });
});

const databasePath = () => join(dir, 'sync.db');

async function preview(golden: GoldenCase, json: boolean): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const env = { ...shop.env, CONFIG_PATH: configPaths.get(golden.file), DATABASE_PATH: databasePath(), LOG_LEVEL: 'error' };
  const args = ['preview', String(golden.wire['innerId']), ...(json ? ['--json'] : [])];
  const code = await main(args, { env, out: (text) => out.push(text), err: (text) => err.push(text) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function expectPreview(golden: GoldenCase): Promise<void> {
  const orderNumber = String(golden.wire['innerId']);
  // The preview is dated the day it runs (issue 17): either side of a midnight that falls in between.
  const dayBefore = budapestDay();
  const asJson = await preview(golden, true);
  const asTable = await preview(golden, false);
  const dayAfter = budapestDay();
  expect({ code: asJson.code, err: asJson.err }).toEqual({ code: 0, err: '' });
  expect({ code: asTable.code, err: asTable.err }).toEqual({ code: 0, err: '' });

  if ('quarantineMatching' in golden.expected) {
    const printed = JSON.parse(asJson.out) as { order: string; quarantine?: string };
    expect(printed.order).toBe(orderNumber);
    expect(quarantineMatches(printed.quarantine ?? '(a draft)', golden.expected.quarantineMatching)).toEqual([]);
    expect(asTable.out).toContain(printed.quarantine ?? '(a draft)');
    return;
  }
  if ('quarantine' in golden.expected) {
    expect(JSON.parse(asJson.out)).toEqual({ order: orderNumber, quarantine: golden.expected.quarantine });
    expect(asTable.out).toContain(golden.expected.quarantine);
    expect(asTable.out).not.toContain('matches the draft');
    return;
  }

  const draft = golden.expected.draft as unknown as ExpectedDraft;
  const body = JSON.parse(asJson.out) as { order: string; partnerCall: Row[] | null; draft: Row[] };
  expect(body.order).toBe(orderNumber);
  const [head] = body.draft;
  if (!head) throw new Error('preview --json printed no draft rows');
  expect(head).toMatchObject({
    Password: '********',
    muveletkod: '4',
    partner_kod: 'SR000001',
    nev: draft.buyer.name,
    iranyitoszam: draft.buyer.postcode ?? '',
    varos: draft.buyer.city ?? '',
    utca: draft.buyer.street ?? '',
    orszag: draft.buyer.country,
    adoszam: draft.buyer.taxNumber ?? '',
    kozossegi_adoszam: draft.buyer.euVatNumber ?? '',
    teljesites: draft.fulfilmentDate,
    fizetesmod: draft.paymentMethod,
    deviza: draft.currency,
    egyeb: draft.orderNumberText,
    szamla_netto: minorText(draft.totals.net, draft.decimals),
    szamla_afa: minorText(draft.totals.vat, draft.decimals),
    szamla_brutto: minorText(draft.totals.gross, draft.decimals),
  });
  const kelt = String(head['kelt']);
  expect([dayBefore, dayAfter]).toContain(kelt);
  expect(head['fizetesi_hatarido']).toBe(plusDays(kelt, 8));
  expect(asTable.out).toMatch(new RegExp(`issue date \\(kelt\\) (${dayBefore}|${dayAfter}): the day the draft is made; fulfilment date \\(teljesítés\\) ${draft.fulfilmentDate}; due date`));
  if (draft.shipping) {
    expect(head).toMatchObject({
      szallitasicim_nev: draft.shipping.name,
      szallitasicim_iranyitoszam: draft.shipping.postcode,
      szallitasicim_varos: draft.shipping.city,
      szallitasicim_utca: draft.shipping.street,
      szallitasicim_orszag: draft.shipping.country,
    });
  } else {
    expect(head).not.toHaveProperty('szallitasicim_nev');
  }
  if (draft.note === null) expect(head).not.toHaveProperty('megjegyzes');
  else expect(head['megjegyzes']).toBe(draft.note);
  expect(head).not.toHaveProperty('email_cim');
  expect(body.draft.map(lineRow)).toEqual(draft.lines.map((line) => expectedLineRow(line, draft.decimals)));
  expectNavClean(body.draft, vatTableFrom(configFor(golden.config)), `preview of ${golden.file}`);
  expect(body.partnerCall?.[0]).toMatchObject({ Password: '********', partner_kod: 'SR000001' });

  expect(asTable.out).toContain(`Order ${orderNumber} (${String(golden.wire['id'])})`);
  for (const line of draft.lines) expect(asTable.out).toContain(line.name.length > 48 ? line.name.slice(0, 47) : line.name);
  expect(asTable.out).toMatch(/Shoprenter TOTAL .*: matches the draft to the last unit/);
}

describe('preview of every golden order served by the Shoprenter stand-in', () => {
  it.each(table(complete))('%s', async (_file, golden) => {
    await expectPreview(golden);
  });

  // Options and units are not in orderExtend (see each case's wireGap): these fail until the
  // adapter fetches them; when one passes, drop its wireGap.
  if (gapped.length > 0) {
    it.failing.each(table(gapped))('%s (known gap, see its wireGap)', async (_file, golden) => {
      await expectPreview(golden);
    });
  }

  it('wrote nothing: no ledger file, not one Cashman request, only reads from Shoprenter', () => {
    expect(existsSync(databasePath())).toBe(false);
    expect(shop.cashman.stats.requests).toBe(0);
    const writes = shop.shoprenter.requestLog.filter((r) => r.method !== 'GET' && !r.path.endsWith('/app/token'));
    expect(writes).toEqual([]);
    expect(shop.shoprenter.stats.status429).toBe(0);
  });
});
