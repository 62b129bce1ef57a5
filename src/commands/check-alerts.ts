import { alertChannels } from '../alerts/channels.js';
import { EmailChannel } from '../alerts/email-channel.js';
import { AlertDeliveryError } from '../alerts/channel.js';
import type { RemoteEnv } from '../config/env.js';
import type { FileConfig } from '../config/schema.js';
import { silentLogger } from '../log/logger.js';

import type { CommandContext } from './context.js';

/** An SMTP login takes a greeting, a TLS handshake and AUTH: longer than one HTTP request. */
const SMTP_CHECK_TIMEOUT_MS = 10_000;

/**
 * `check`'s alert lines: the SMTP login is tried (connect, TLS, AUTH; nothing is sent) and named
 * in one sentence when it fails; the webhook is only named (any request to it would post a
 * message). With --send-test-alert one test alert goes out on every channel, directly, not
 * through the outbox: `check` reports what happened now. False when a channel failed.
 */
export async function checkAlerts(ctx: CommandContext, env: RemoteEnv, cfg: FileConfig, sendTest: boolean): Promise<boolean> {
  const channels = alertChannels(env, { language: cfg.alerts.language, shop: env.shoprenter.shop, timeoutMs: SMTP_CHECK_TIMEOUT_MS }, silentLogger);
  let ok = true;
  if (channels.length === 0) {
    ctx.out('info  no alert channel: set ALERT_WEBHOOK_URL and/or SMTP_URL, ALERT_EMAIL_TO, ALERT_EMAIL_FROM to be told about orders that need you');
    if (sendTest) ctx.out('FAIL  --send-test-alert: there is no alert channel to send on');
    return !sendTest;
  }
  for (const channel of channels) {
    if (channel instanceof EmailChannel) {
      const problem = await channel.verify();
      if (problem) {
        ok = false;
        ctx.out(`FAIL  alert e-mail: ${problem}.`);
        continue;
      }
      ctx.out(`ok    alert e-mail: the SMTP server ${channel.where} accepts the login (to ${env.alertEmail?.to.join(', ') ?? ''})`);
    } else if (!sendTest) {
      ctx.out(`info  alert webhook at ${channel.where} (not called; --send-test-alert posts a test alert)`);
    }
    if (!sendTest) continue;
    try {
      await channel.deliver([{ kind: 'test-alert', reason: 'Test alert sent by check --send-test-alert.' }], new AbortController().signal);
      ctx.out(`ok    test alert sent on the ${channel.name === 'email' ? 'e-mail' : 'webhook'} channel (${channel.where})`);
    } catch (error) {
      ok = false;
      const words = error instanceof AlertDeliveryError ? error.message : 'request failed';
      ctx.out(`FAIL  test alert on the ${channel.name === 'email' ? 'e-mail' : 'webhook'} channel (${channel.where}): ${words}.`);
    }
  }
  if (cfg.alerts.dailySummaryAt && !env.alertEmail) ctx.out('warn  alerts.dailySummaryAt is set but SMTP_URL is not: the morning summary goes by e-mail only');
  return ok;
}
