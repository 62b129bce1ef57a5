import type { BaseEnv } from '../config/env.js';
import type { Logger } from '../log/logger.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, type ChannelSender } from './channel.js';
import { EmailChannel } from './email-channel.js';
import type { AlertLanguage } from './texts.js';
import { WebhookChannel } from './webhook-channel.js';

export interface ChannelOptions {
  language: AlertLanguage;
  /** The shop's name, for the e-mail footer. */
  shop: string;
  timeoutMs?: number | undefined;
}

/**
 * The alert channels the environment turns on. Their addresses and the SMTP password are secrets:
 * registered with the logger here, so no line can carry them whatever a library puts in an error.
 */
export function alertChannels(env: BaseEnv, options: ChannelOptions, logger: Logger): ChannelSender[] {
  const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const channels: ChannelSender[] = [];
  if (env.alertWebhookUrl) {
    logger.addSecret(env.alertWebhookUrl);
    logger.addSecret(pathOf(env.alertWebhookUrl));
    channels.push(new WebhookChannel(env.alertWebhookUrl, timeoutMs, options.language));
  }
  if (env.alertEmail) {
    logger.addSecret(env.alertEmail.smtpUrl);
    logger.addSecret(env.alertEmail.password);
    channels.push(new EmailChannel(env.alertEmail, options.language, options.shop, timeoutMs));
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
