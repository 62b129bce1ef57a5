import { afterDraftWatch, renderAfterDraft } from './scenario-after-draft.js';

/**
 * `node dist-bench/bench/after-draft-run.js [orders] [intervalSeconds] [idlePolls] [cancellations]`: the
 * after-draft figures alone (the full `npm run bench` includes them too).
 */
async function main(): Promise<void> {
  const [orders = 40, intervalSeconds = 5, idlePolls = 20, cancellations = 4] = process.argv.slice(2).map(Number);
  const result = await afterDraftWatch({
    orders,
    intervalSeconds,
    idlePolls,
    cancellations,
    seed: 20261204,
    profile: { shoprenterLatencyMs: 100, cashmanLatencyMs: 30, rateLimitPerSecond: 3 },
  });
  process.stdout.write(`${renderAfterDraft(result)}\n${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
