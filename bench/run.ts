import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { RemoteProfile } from './figures.js';
import { round } from './figures.js';
import { mappingCpu } from './mapping-cpu.js';
import { setDaemonNodeOptions } from './daemon-process.js';
import { parseBenchOptions } from './options.js';
import { renderMarkdown, renderText, updateDocs, webhookRows, type BenchResults } from './report.js';
import { checkTargets, webhookTargets } from './targets.js';
import { webhookLatencyRun, type WebhookLatencyResult } from './scenario-webhooks.js';
import { baselineBackfill, daemonBackfill, type BackfillResult } from './scenario-backfill.js';
import { latencyRuns } from './scenario-latency.js';
import { afterDraftWatch, renderAfterDraft } from './scenario-after-draft.js';

/**
 * `npm run bench`: the real daemon (a child process, `node dist/main.js run`) against local
 * stand-ins of Shoprenter (rate-limited, 429 beyond) and Cashman, beside a one-by-one baseline.
 * Prints the figures and the targets (PASS/MISS with the margin) and writes them as JSON.
 */
async function main(): Promise<void> {
  const options = parseBenchOptions(process.argv.slice(2), process.env);
  setDaemonNodeOptions(options.nodeOptions);
  const started = Date.now();
  const loadBefore = loadavg()[0] ?? 0;
  const on: RemoteProfile = {
    shoprenterLatencyMs: options.shoprenterLatencyMs,
    cashmanLatencyMs: options.cashmanLatencyMs,
    rateLimitPerSecond: options.rateLimitPerSecond,
  };
  const off: RemoteProfile = { ...on, shoprenterLatencyMs: 0, cashmanLatencyMs: 0 };
  const step = (text: string) => process.stderr.write(`[bench ${round((Date.now() - started) / 1000)} s] ${text}\n`);
  const webhookPlan = { seconds: options.webhookSeconds, orders: options.webhookOrders, seed: options.seed, profile: on, enrich: options.webhookEnrich };
  // The shipped-defaults run keeps the plain run's arrival pace (seconds per order).
  const shippedPlan = { ...webhookPlan, orders: options.shippedWebhookOrders, seconds: Math.max(5, Math.round((options.webhookSeconds * options.shippedWebhookOrders) / options.webhookOrders)), enrich: true };
  const webhookRunsFor = async (): Promise<{ plain: WebhookLatencyResult; shipped: WebhookLatencyResult | null }> => {
    step(`webhook-to-draft latency: ${webhookPlan.orders} orders over ${webhookPlan.seconds} s, polling every 30 s beside`);
    const plain = await webhookLatencyRun(webhookPlan);
    if (shippedPlan.orders === 0) return { plain, shipped: null };
    step(`webhook-to-draft latency, shipped defaults (option + unit reads): ${shippedPlan.orders} orders over ${shippedPlan.seconds} s`);
    return { plain, shipped: await webhookLatencyRun(shippedPlan) };
  };
  if (options.onlyWebhooks) {
    const { plain, shipped } = await webhookRunsFor();
    const lines = [
      ...[...webhookRows(plain), ...webhookRows(shipped)].map((row) => `${row[0]}: ${row[1]}`),
      ...webhookTargets(plain, shipped).map((t) => `${t.name} ${t.target}: ${t.pass ? 'PASS' : 'MISS'} (${t.margin})`),
    ];
    const samples = [`samples (ms): ${plain.samples.join(' ')}`, ...(shipped ? [`samples, shipped defaults (ms): ${shipped.samples.join(' ')}`] : [])];
    process.stdout.write(`${lines.join('\n')}\n${samples.join('\n')}\n`);
    return;
  }
  const backfills: BackfillResult[] = [];
  const first = options.sizes[0] ?? 1000;

  step('CPU of the pure mapping');
  const cpu = mappingCpu(options.seed);

  step(`daemon backfill, N=${first}, latency on, then the polls until ${options.idleCycles} idle ones`);
  backfills.push(await daemonBackfill(first, options.seed, on, options.idleCycles));
  for (const n of options.sizes) {
    step(`daemon backfill, N=${n}, latency off`);
    backfills.push(await daemonBackfill(n, options.seed, off, 0));
  }
  if (options.enrichedOrders > 0) {
    step(`daemon backfill with the shipped defaults (option and unit reads), N=${options.enrichedOrders}, latency on`);
    backfills.push(await daemonBackfill(options.enrichedOrders, options.seed, on, 0, true));
  }
  step(`baseline backfill, ${options.baselineOrders} orders, latency on`);
  backfills.push(...(await baselineBackfill([first], options.baselineOrders, options.seed, on)));
  step(`baseline backfill, ${Math.ceil(options.baselineOrders / 2)} orders, latency off`);
  backfills.push(...(await baselineBackfill(options.sizes, Math.ceil(options.baselineOrders / 2), options.seed, off)));
  step(`order-to-draft latency: ${options.latencyOrders} orders over ${options.latencySeconds} s, polling every ${options.latencyIntervalSeconds} s (daemon and baseline side by side)`);
  const latency = await latencyRuns({
    intervalSeconds: options.latencyIntervalSeconds,
    seconds: options.latencySeconds,
    orders: options.latencyOrders,
    seed: options.seed,
    profile: on,
  });

  step('after the draft: idle poll cost with watching on, and storno-to-alert delay');
  const afterDraft = await afterDraftWatch({ orders: 40, intervalSeconds: 5, idlePolls: 20, cancellations: 4, seed: options.seed, profile: on });
  const { plain: webhooks, shipped: shippedWebhooks } = await webhookRunsFor();

  const cpuInfo = cpus();
  const results: BenchResults = {
    at: new Date().toISOString(),
    durationSeconds: round((Date.now() - started) / 1000),
    machine: {
      cpus: cpuInfo.length,
      cpuModel: cpuInfo[0]?.model.trim() ?? 'unknown',
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      memoryMb: Math.round(totalmem() / 1048576),
      loadBefore: round(loadBefore, 2),
      loadAfter: round(loadavg()[0] ?? 0, 2),
    },
    options,
    backfills,
    latency,
    webhooks,
    shippedWebhooks,
    mappingCpu: cpu,
    targets: [...checkTargets(backfills, latency, options.sizes, cpu), ...webhookTargets(webhooks, shippedWebhooks)],
  };
  process.stdout.write(`\n${renderText(results)}\n${renderAfterDraft(afterDraft)}\n`);
  const out = resolve(options.out);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ ...results, afterDraft }, null, 2)}\n`);
  const markdown = renderMarkdown(results);
  writeFileSync(out.replace(/\.json$/, '') + '.md', `${markdown}\n`);
  process.stdout.write(`\nWrote ${out}${options.updateDocs ? '' : ' (add --update-docs to put the figures into BENCHMARKS.md)'}\n`);
  if (options.updateDocs && !updateDocs(resolve('BENCHMARKS.md'), markdown)) {
    process.stderr.write('BENCHMARKS.md has no <!-- bench:figures:start/end --> markers; figures not written there.\n');
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
