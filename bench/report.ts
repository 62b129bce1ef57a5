import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { BackfillResult } from './scenario-backfill.js';
import type { LatencyResult } from './scenario-latency.js';
import type { WebhookLatencyResult } from './scenario-webhooks.js';
import type { MappingCpu } from './mapping-cpu.js';
import type { BenchOptions } from './options.js';

export interface Machine {
  cpus: number;
  cpuModel: string;
  node: string;
  platform: string;
  memoryMb: number;
  /** 1-minute load average before and after: other work on the machine skews the figures. */
  loadBefore: number;
  loadAfter: number;
}

export interface BenchResults {
  at: string;
  durationSeconds: number;
  machine: Machine;
  options: BenchOptions;
  backfills: BackfillResult[];
  latency: LatencyResult[];
  webhooks: WebhookLatencyResult | null;
  mappingCpu: MappingCpu;
  targets: TargetCheck[];
}

export interface TargetCheck {
  name: string;
  target: string;
  value: number | null;
  unit: string;
  pass: boolean;
  margin: string;
}

const fmt = (value: number | null | undefined, digits = 0): string =>
  value === null || value === undefined || Number.isNaN(value) ? 'n/a' : value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function check(name: string, value: number | null, op: '<=' | '>=', limit: number, unit: string, digits = 2): TargetCheck {
  const target = `${op === '<=' ? '≤' : '≥'} ${fmt(limit, limit % 1 === 0 ? 0 : 2)} ${unit}`.trim();
  if (value === null || Number.isNaN(value)) return { name, target, value, unit, pass: false, margin: 'not measured' };
  const pass = op === '<=' ? value <= limit : value >= limit;
  const diff = op === '<=' ? limit - value : value - limit;
  const percent = limit === 0 ? '' : ` (${fmt((diff / limit) * 100, 0)}%)`;
  return { name, target, value, unit, pass, margin: `${diff >= 0 ? '+' : ''}${fmt(diff, digits)} ${unit}${percent}`.replace(/\s+/g, ' ').trim() };
}

type Row = [string, string, string, string];

type Find = (integration: BackfillResult['integration'], latencyOn: boolean, orders?: number) => BackfillResult | undefined;

export function finder(backfills: readonly BackfillResult[]): Find {
  return (integration, latencyOn, orders) =>
    backfills.find(
      (b) =>
        b.integration === integration &&
        !b.enrich &&
        (b.profile.cashmanLatencyMs + b.profile.shoprenterLatencyMs > 0) === latencyOn &&
        (orders === undefined || b.orders === orders),
    );
}

/** SPEC §5's goal: the draft within 2 s (median) of its order_confirm webhook; never a duplicate. */
export function webhookTargets(w: WebhookLatencyResult | null): TargetCheck[] {
  return [
    check('Webhook-to-draft p50 (30 s polling beside)', w?.p50 ?? null, '<=', 2, 's'),
    check('Webhook-to-draft max', w?.max ?? null, '<=', 5, 's'),
    check('Duplicate drafts across duplicate and out-of-order webhooks', w?.duplicates ?? null, '<=', 0, '', 0),
  ];
}

export function webhookRows(w: WebhookLatencyResult | null): Row[] {
  if (!w) return [];
  return [
    [`Webhook-to-draft latency${w.enrich ? ' (option + unit reads on)' : ''}, polling at ${w.intervalSeconds} s beside, p50 / p95 / max, s (${fmt(w.drafted)} of ${fmt(w.orders)} orders, ${fmt(w.deliveries)} deliveries)`, `${fmt(w.p50, 2)} / ${fmt(w.p95, 2)} / ${fmt(w.max, 2)}`, '', ''],
    ['  duplicate drafts', fmt(w.duplicates), '', ''],
  ];
}

export function checkTargets(backfills: readonly BackfillResult[], latency: readonly LatencyResult[], sizes: readonly number[]): TargetCheck[] {
  const find = finder(backfills);
  const daemonRuns = backfills.filter((b) => b.integration === 'daemon' && !b.enrich);
  const enriched = backfills.find((b) => b.enrich);
  const largest = Math.max(...sizes);
  const idle = daemonRuns.find((b) => b.idle)?.idle ?? null;
  const big = find('daemon', false, largest);
  const sum = (pick: (b: BackfillResult) => number) => daemonRuns.reduce((s, b) => s + pick(b), 0);
  const perOrder = (kind: 'new' | 'returningUnchanged' | 'returningChanged') => {
    const orders = sum((b) => b.cashman.perBuyer[kind].orders);
    return orders === 0 ? null : sum((b) => b.cashman.perBuyer[kind].requests) / orders;
  };
  const latencyOn = find('daemon', true);
  const daemonLatency = latency.find((l) => l.integration === 'daemon');
  return [
    check('Shoprenter requests per idle cycle', idle?.perCycle ?? null, '<=', 1, 'req'),
    check(`Shoprenter requests per 200 new orders (N=${fmt(largest)})`, big?.shoprenter.per200NewOrders ?? null, '<=', 1, 'req'),
    ...(enriched
      ? [check('Shoprenter requests per 200 new orders, shipped defaults (option + unit reads)', enriched.shoprenter.per200NewOrders, '<=', 1, 'req', 0)]
      : []),
    check('429 answers, all daemon runs', sum((b) => b.shoprenter.status429), '<=', 0, '', 0),
    check('Cashman requests, returning unchanged buyer', perOrder('returningUnchanged'), '<=', 1, 'req/order', 3),
    check('Cashman requests, new buyer', perOrder('new'), '<=', 2, 'req/order', 3),
    check('Cashman requests, returning changed buyer', perOrder('returningChanged'), '<=', 2, 'req/order', 3),
    check(`Backfill floor/actual, latency on (N=${fmt(latencyOn?.orders)})`, latencyOn?.floorRatio ?? null, '>=', 0.9, ''),
    ...sizes.map((n) => {
      const run = find('daemon', false, n);
      return check(`Throughput, latency off, backfill cycle (N=${fmt(n)})`, run?.cycleOrdersPerSecond ?? run?.ordersPerSecond ?? null, '>=', 300, 'orders/s', 0);
    }),
    check('Latency p50 at 30 s polling', daemonLatency?.p50 ?? null, '<=', 16, 's'),
    check('Latency max at 30 s polling', daemonLatency?.max ?? null, '<=', 32, 's'),
    check(`Peak RSS during the N=${fmt(largest)} backfill`, big?.peakRssMb ?? null, '<=', 120, 'MB', 1),
  ];
}

/** The figures, daemon beside baseline. */
export function figureRows(r: BenchResults): Row[] {
  const find = finder(r.backfills);
  const rows: Row[] = [];
  const ratio = (a: number | null | undefined, b: number | null | undefined, digits = 1) =>
    a && b && Number.isFinite(a) && Number.isFinite(b) ? `${fmt(a / b, digits)}×` : '';
  const s = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);
  const p = r.options;
  const on = `Shoprenter ${p.shoprenterLatencyMs} ms, Cashman ${p.cashmanLatencyMs} ms`;
  const first = r.options.sizes[0] ?? 0;
  for (const [latencyOn, label] of [
    [true, `latency on (${on})`],
    [false, 'latency off'],
  ] as const) {
    for (const n of latencyOn ? [first] : r.options.sizes) {
      const d = find('daemon', latencyOn, n);
      const b = find('baseline', latencyOn, n);
      if (!d && !b) continue;
      const scaled = b && b.measuredOrders < b.orders ? ` (from ${b.measuredOrders})` : '';
      rows.push([`Backfill N=${fmt(n)}, ${label}: wall time, s`, fmt(s(d?.wallMs), 1), `${fmt(s(b?.wallMs), 1)}${scaled}`, ratio(b?.wallMs, d?.wallMs)]);
      rows.push([`  floor: same calls, zero own work, s`, fmt(s(d?.floorMs), 1), fmt(s(b?.floorMs), 1), '']);
      rows.push([`  (the same at exactly the configured latency), s`, fmt(s(d?.nominalFloorMs), 1), fmt(s(b?.nominalFloorMs), 1), '']);
      rows.push([`  floor / actual`, fmt(d?.floorRatio, 3), fmt(b?.floorRatio, 3), '']);
      rows.push([`  throughput over the wall time, orders/s`, fmt(d?.ordersPerSecond, 1), fmt(b?.ordersPerSecond, 2), ratio(d?.ordersPerSecond, b?.ordersPerSecond)]);
      if (d?.cycleOrdersPerSecond) rows.push([`  throughput of the backfill cycle alone, orders/s`, fmt(d.cycleOrdersPerSecond, 1), '', '']);
      rows.push([`  Shoprenter 429 answers`, fmt(d?.shoprenter.status429), fmt(b?.shoprenter.status429), '']);
      if (d?.peakRssMb !== undefined) rows.push([`  peak RSS of the daemon process, MB`, fmt(d.peakRssMb, 1), 'n/a (in-process)', '']);
    }
  }
  const dIdle = r.backfills.find((b) => b.integration === 'daemon' && b.idle)?.idle;
  const bIdle = r.backfills.find((b) => b.integration === 'baseline' && b.idle)?.idle;
  rows.push(['Shoprenter requests per idle cycle', fmt(dIdle?.perCycle, 2), fmt(bIdle?.perCycle, 2), '']);
  if (dIdle) rows.push([`  polls re-reading the backlog before the first idle one (their requests)`, `${fmt(dIdle.catchUp.cycles)} (${fmt(dIdle.catchUp.requests)})`, `${fmt(bIdle?.catchUp.cycles)} (${fmt(bIdle?.catchUp.requests)})`, '']);
  const big = Math.max(...r.options.sizes);
  const d = find('daemon', false, big) ?? find('daemon', true);
  const b = find('baseline', false, big) ?? find('baseline', true);
  rows.push(['Shoprenter requests per 200 new orders', fmt(d?.shoprenter.per200NewOrders, 2), fmt(b?.shoprenter.per200NewOrders, 2), ratio(b?.shoprenter.per200NewOrders, d?.shoprenter.per200NewOrders, 0)]);
  for (const [kind, label] of [
    ['new', 'new buyer'],
    ['returningUnchanged', 'returning buyer, unchanged'],
    ['returningChanged', 'returning buyer, changed'],
  ] as const) {
    const dc = d?.cashman.perBuyer[kind];
    const bc = b?.cashman.perBuyer[kind];
    rows.push([`Cashman requests per order, ${label}`, `${fmt(dc?.perOrder, 2)} (${fmt(dc?.orders)} orders)`, `${fmt(bc?.perOrder, 2)} (${fmt(bc?.orders)})`, '']);
  }
  const e = r.backfills.find((x) => x.enrich);
  if (e) {
    const perOrder = (e.shoprenter.perOrderRequests / e.orders).toFixed(2);
    rows.push([`Shipped defaults (option + unit reads), N=${fmt(e.orders)}, latency on: wall time, s`, fmt(e.wallMs / 1000, 1), '', '']);
    rows.push([`  Shoprenter requests per order (option and unit reads)`, perOrder, '', '']);
    rows.push([`  Shoprenter requests per 200 new orders`, fmt(e.shoprenter.per200NewOrders, 0), '', '']);
    rows.push([`  throughput, orders/s; floor / actual`, `${fmt(e.ordersPerSecond, 2)}; ${fmt(e.floorRatio, 3)}`, '', '']);
  }
  for (const l of r.latency.filter((x) => x.integration === 'daemon')) {
    const bl = r.latency.find((x) => x.integration === 'baseline');
    const note = l.intervalSeconds === 30 ? '' : ` (run at ${l.intervalSeconds} s, wait ×${fmt(l.scale, 0)})`;
    rows.push([`Order-to-draft latency at 30 s polling${note}, p50 / p95 / max, s`, `${fmt(l.p50, 1)} / ${fmt(l.p95, 1)} / ${fmt(l.max, 1)}`, bl ? `${fmt(bl.p50, 1)} / ${fmt(bl.p95, 1)} / ${fmt(bl.max, 1)}` : '', '']);
    rows.push([`  as measured at ${l.intervalSeconds} s, p50 / p95 / max, s`, `${fmt(l.raw.p50, 1)} / ${fmt(l.raw.p95, 1)} / ${fmt(l.raw.max, 1)}`, bl ? `${fmt(bl.raw.p50, 1)} / ${fmt(bl.raw.p95, 1)} / ${fmt(bl.raw.max, 1)}` : '', '']);
    rows.push([`  poll-to-draft part, p50 / max, s (${fmt(l.drafted)} orders)`, `${fmt(l.processing.p50, 2)} / ${fmt(l.processing.max, 2)}`, bl ? `${fmt(bl.processing.p50, 2)} / ${fmt(bl.processing.max, 2)}` : '', '']);
  }
  rows.push(...webhookRows(r.webhooks));
  rows.push(['CPU per order, pure mapping (normalize + partner + draft), µs', fmt(r.mappingCpu.cpuUsPerOrder, 1), 'same code', '']);
  return rows;
}

function pad(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

export function renderText(r: BenchResults): string {
  const figures = pad([['Figure', 'Daemon', 'Baseline (one by one)', 'Gain'], ...figureRows(r)]);
  const targets = pad([
    ['Target', 'Required', 'Measured', 'Result', 'Margin'],
    ...r.targets.map((t) => [t.name, t.target, fmt(t.value, 3), t.pass ? 'PASS' : 'MISS', t.margin]),
  ]);
  return `${machineLine(r)}\n\n${figures}\n\n${targets}\n`;
}

function machineLine(r: BenchResults): string {
  const m = r.machine;
  const flags = r.options.nodeOptions ? `NODE_OPTIONS="${r.options.nodeOptions}"` : 'no NODE_OPTIONS';
  return `${r.at}: ${m.cpus} × ${m.cpuModel}, ${fmt(m.memoryMb)} MB, Node ${m.node} on ${m.platform}; daemon with ${flags}; load average ${fmt(m.loadBefore, 2)} before, ${fmt(m.loadAfter, 2)} after; ${fmt(r.durationSeconds)} s in all.`;
}

export function renderMarkdown(r: BenchResults): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/^\s+/, '↳ ');
  const table = (head: string[], rows: string[][]) =>
    [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`)].join('\n');
  return [
    `Run: ${machineLine(r)}`,
    '',
    table(['Figure', 'Daemon', 'Baseline (one by one)', 'Gain'], figureRows(r)),
    '',
    table(
      ['Target', 'Required', 'Measured', 'Result', 'Margin'],
      r.targets.map((t) => [t.name, t.target, fmt(t.value, 3), t.pass ? 'PASS' : '**MISS**', t.margin]),
    ),
  ].join('\n');
}

const START = '<!-- bench:figures:start -->';
const END = '<!-- bench:figures:end -->';

/** Replaces the figures between the markers in BENCHMARKS.md; false when the file or markers are missing. */
export function updateDocs(path: string, markdown: string): boolean {
  if (!existsSync(path)) return false;
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start) return false;
  writeFileSync(path, `${text.slice(0, start + START.length)}\n${markdown}\n${text.slice(end)}`);
  return true;
}
