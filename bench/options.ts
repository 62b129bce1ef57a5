import { parseArgs } from 'node:util';

/** The heap caps the daemon ships with (Dockerfile NODE_OPTIONS, `npm start`); a test keeps the three equal. */
export const SHIPPED_NODE_OPTIONS = '--max-semi-space-size=2 --max-old-space-size=128 --v8-pool-size=1';

/** What one `npm run bench` measures; every knob has a flag and an environment variable. */
export interface BenchOptions {
  /** Shop sizes for the backfill runs (latency off); the first one also runs with latency on. */
  sizes: number[];
  /** Shoprenter stand-in: delay before every answer, and its rate limit (requests per sliding second). */
  shoprenterLatencyMs: number;
  rateLimitPerSecond: number;
  /** Cashman stand-in: delay before every answer. */
  cashmanLatencyMs: number;
  /** Orders the baseline drafts per run (its time is linear in them: ~0.73 s each at 3 req/s). */
  baselineOrders: number;
  /** The order-to-draft latency run: its poll interval, how long orders keep arriving, how many. */
  latencyIntervalSeconds: number;
  latencySeconds: number;
  latencyOrders: number;
  /** Idle cycles watched after the first backfill. */
  idleCycles: number;
  /** Orders of the extra backfill with the shipped defaults (per-line option and per-product unit reads); 0 skips it. */
  enrichedOrders: number;
  /** The webhook run (30 s polling, webhooks on): how long orders keep arriving, how many; only it with `onlyWebhooks`. */
  webhookSeconds: number;
  webhookOrders: number;
  onlyWebhooks: boolean;
  /** The webhook run with the shipped option and unit reads on. */
  webhookEnrich: boolean;
  /**
   * A second webhook run, with the shipped defaults (option and unit reads) on, at the same
   * arrival pace: how many orders; 0 skips it.
   */
  shippedWebhookOrders: number;
  /** NODE_OPTIONS for the daemon process, e.g. heap limits as a deployment would set them; none by default. */
  nodeOptions: string;
  out: string;
  /** Rewrite the figures section of BENCHMARKS.md. */
  updateDocs: boolean;
  seed: number;
}

export const USAGE = `Usage: npm run bench -- [options]

  --quick                     N = 1,000 only, shorter latency and baseline runs (about 3 minutes)
  --sizes 1000,10000          shop sizes for the backfill runs          (BENCH_SIZES)
  --shoprenter-latency-ms 100 Shoprenter stand-in answer delay           (BENCH_SHOPRENTER_LATENCY_MS)
  --cashman-latency-ms 30     Cashman stand-in answer delay              (BENCH_CASHMAN_LATENCY_MS)
  --rate-limit 3              Shoprenter requests per sliding second     (BENCH_RATE_LIMIT)
  --baseline-orders 40        orders the one-by-one baseline drafts (half that with latency off) (BENCH_BASELINE_ORDERS)
  --latency-interval 5        poll interval of the latency run; scaled to 30 s (BENCH_LATENCY_INTERVAL)
  --latency-seconds 40        how long orders keep arriving              (BENCH_LATENCY_SECONDS)
  --latency-orders 60         how many arrive in that time               (BENCH_LATENCY_ORDERS)
  --webhook-seconds 60        webhook run: how long orders keep arriving, polling at 30 s (BENCH_WEBHOOK_SECONDS)
  --webhook-orders 40         webhook run: how many arrive (each gets an order_confirm webhook) (BENCH_WEBHOOK_ORDERS)
  --webhook-enrich            webhook run with the shipped option and unit reads on (BENCH_WEBHOOK_ENRICH=1)
  --shipped-webhook-orders 20 a second webhook run with the shipped defaults (option + unit reads) on, same pace; 0 skips (BENCH_SHIPPED_WEBHOOK_ORDERS)
  --only-webhooks             run only the webhook runs (figures printed, not written to BENCHMARKS.md)
  --idle-cycles 2             idle polls measured after the backfill     (BENCH_IDLE_CYCLES)
  --enriched-orders 30        backfill with option/unit reads on (the shipped defaults); 0 skips (BENCH_ENRICHED_ORDERS)
  --node-options="..."        NODE_OPTIONS for the daemon process; default: the shipped ones (Dockerfile, npm start); "" for Node's own defaults (BENCH_NODE_OPTIONS)
  --out bench/results/latest.json
  --update-docs               write the figures into BENCHMARKS.md
  --seed 42`;

export function parseBenchOptions(argv: string[], env: Record<string, string | undefined>): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      sizes: { type: 'string' },
      'shoprenter-latency-ms': { type: 'string' },
      'cashman-latency-ms': { type: 'string' },
      'rate-limit': { type: 'string' },
      'baseline-orders': { type: 'string' },
      'latency-interval': { type: 'string' },
      'latency-seconds': { type: 'string' },
      'latency-orders': { type: 'string' },
      'idle-cycles': { type: 'string' },
      'webhook-seconds': { type: 'string' },
      'webhook-orders': { type: 'string' },
      'only-webhooks': { type: 'boolean', default: false },
      'webhook-enrich': { type: 'boolean', default: false },
      'shipped-webhook-orders': { type: 'string' },
      'enriched-orders': { type: 'string' },
      'node-options': { type: 'string' },
      out: { type: 'string' },
      'update-docs': { type: 'boolean', default: false },
      seed: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const quick = values.quick || env['BENCH_QUICK'] === '1';
  const number = (flag: string | undefined, name: string, fallback: number, min = 0): number => {
    const text = flag ?? env[name];
    if (text === undefined || text === '') return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value < min) throw new Error(`${name} must be a number of at least ${min}, not "${text}".`);
    return value;
  };
  const sizesText = values.sizes ?? env['BENCH_SIZES'];
  const sizes = sizesText ? sizesText.split(',').map((s) => Number(s.trim())) : quick ? [1000] : [1000, 10_000];
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--sizes must be whole numbers, not "${sizesText}".`);
  const interval = number(values['latency-interval'], 'BENCH_LATENCY_INTERVAL', 5, 5);
  return {
    sizes,
    shoprenterLatencyMs: number(values['shoprenter-latency-ms'], 'BENCH_SHOPRENTER_LATENCY_MS', 100),
    cashmanLatencyMs: number(values['cashman-latency-ms'], 'BENCH_CASHMAN_LATENCY_MS', 30),
    rateLimitPerSecond: number(values['rate-limit'], 'BENCH_RATE_LIMIT', 3, 1),
    baselineOrders: number(values['baseline-orders'], 'BENCH_BASELINE_ORDERS', quick ? 20 : 40, 1),
    latencyIntervalSeconds: interval,
    latencySeconds: number(values['latency-seconds'], 'BENCH_LATENCY_SECONDS', quick ? 25 : 40, 5),
    latencyOrders: number(values['latency-orders'], 'BENCH_LATENCY_ORDERS', quick ? 36 : 60, 1),
    webhookSeconds: number(values['webhook-seconds'], 'BENCH_WEBHOOK_SECONDS', quick ? 30 : 60, 5),
    webhookOrders: number(values['webhook-orders'], 'BENCH_WEBHOOK_ORDERS', quick ? 20 : 40, 1),
    onlyWebhooks: values['only-webhooks'] || env['BENCH_ONLY_WEBHOOKS'] === '1',
    webhookEnrich: values['webhook-enrich'] || env['BENCH_WEBHOOK_ENRICH'] === '1',
    shippedWebhookOrders: number(values['shipped-webhook-orders'], 'BENCH_SHIPPED_WEBHOOK_ORDERS', quick ? 10 : 20, 0),
    idleCycles: number(values['idle-cycles'], 'BENCH_IDLE_CYCLES', 2, 1),
    enrichedOrders: number(values['enriched-orders'], 'BENCH_ENRICHED_ORDERS', quick ? 15 : 30, 0),
    nodeOptions: values['node-options'] ?? env['BENCH_NODE_OPTIONS'] ?? SHIPPED_NODE_OPTIONS,
    out: values.out ?? env['BENCH_OUT'] ?? 'bench/results/latest.json',
    updateDocs: values['update-docs'] || env['BENCH_UPDATE_DOCS'] === '1',
    seed: number(values.seed, 'BENCH_SEED', 42),
  };
}
