import type { BaseEnv } from '../config/env.js';
import type { Logger } from '../log/logger.js';
import { DEFAULT_DELIVERY_TUNING } from '../sync/alert-delivery.js';
import type { ChannelSender } from './channel.js';
import { WebhookChannel } from './webhook-channel.js';

/**
 * The alert channels the environment turns on. Their addresses are secrets: registered with the
 * logger here, so no line can carry them whatever a library puts in an error.
 */
export function alertChannels(env: BaseEnv, logger: Logger, timeoutMs = DEFAULT_DELIVERY_TUNING.requestTimeoutMs): ChannelSender[] {
  const channels: ChannelSender[] = [];
  if (env.alertWebhookUrl) {
    logger.addSecret(env.alertWebhookUrl);
    logger.addSecret(pathOf(env.alertWebhookUrl));
    channels.push(new WebhookChannel(env.alertWebhookUrl, timeoutMs));
  }
  return channels;
}

function pathOf(url: string): string | null {
  try {
    const { pathname, search } = new URL(url);
    return pathname.length > 1 ? pathname + search : null;
  } catch {
    return null;
  }
}
