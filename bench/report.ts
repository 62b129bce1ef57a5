import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { BackfillResult } from './scenario-backfill.js';
import type { LatencyResult } from './scenario-latency.js';
import type { WebhookLatencyResult } from './scenario-webhooks.js';
import type { MappingCpu } from './mapping-cpu.js';
import type { BenchOptions } from './options.js';
import { finder, fmt, type TargetCheck } from './targets.js';

export type { TargetCheck } from './targets.js';

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
  /** The same webhook run with the shipped defaults on (option and unit reads), fresh ledger. */
  shippedWebhooks: WebhookLatencyResult | null;
  mappingCpu: MappingCpu;
  targets: TargetCheck[];
}

type Row = [string, string, string, string];

export function webhookRows(w: WebhookLatencyResult | null): Row[] {
  if (!w) return [];
  return [
    [`Webhook-to-draft latency${w.enrich ? ', shipped defaults (option + unit reads on)' : ''}, polling at ${w.intervalSeconds} s beside, p50 / p95 / max, s (${fmt(w.drafted)} of ${fmt(w.orders)} orders, ${fmt(w.deliveries)} deliveries)`, `${fmt(w.p50, 2)} / ${fmt(w.p95, 2)} / ${fmt(w.max, 2)}`, '', ''],
    ['  duplicate drafts', fmt(w.duplicates), '', ''],
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
    if (e.lines) {
      const l = e.lines;
      rows.push([`  Shoprenter reads per product line, fresh ledger (${fmt(l.reads)} reads, ${fmt(l.productLines)} lines)`, fmt(l.readsPerLine, 2), '', '']);
      rows.push([`    of which batches; lookups in all: option / other (units)`, `${fmt(l.batches)}; ${fmt(l.optionReads)} / ${fmt(l.otherLookupReads)}`, '', '']);
    }
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
  rows.push(...webhookRows(r.webhooks), ...webhookRows(r.shippedWebhooks));
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
