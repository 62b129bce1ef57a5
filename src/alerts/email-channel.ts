import { connect, type Socket } from 'node:net';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { AlertEmailSettings } from '../config/alert-email-env.js';
import type { AlertEvent } from './alert-event.js';
import { AlertDeliveryError, type ChannelSender } from './channel.js';
import { composeEmail } from './email-text.js';
import type { AlertLanguage } from './texts.js';

/**
 * nodemailer options from SMTP_URL: `smtps://` is TLS from the first byte; `smtp://` must upgrade
 * with STARTTLS (requireTLS) and checks the certificate, except towards a loopback relay (a local
 * postfix), where plain SMTP is accepted and a self-signed certificate is too: that traffic never
 * leaves the machine. Options are built from the parsed parts, never from the URL text, so no
 * error of the library can quote it.
 */
export function smtpOptions(settings: AlertEmailSettings, timeoutMs: number): SMTPTransport.Options {
  return {
    host: settings.host,
    port: settings.port,
    secure: settings.protocol === 'smtps',
    requireTLS: settings.protocol === 'smtp' && !settings.loopback,
    ...(settings.user !== null ? { auth: { user: settings.user, pass: settings.password ?? '' } } : {}),
    ...(settings.loopback ? { tls: { rejectUnauthorized: false } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    logger: false,
    debug: false,
  };
}

/** What an SMTP failure was, in one phrase that holds neither the URL nor the password. */
export function smtpFailureWords(error: unknown, settings: AlertEmailSettings, signal?: AbortSignal): string {
  if (signal?.aborted) return 'cut off because the process was stopping';
  const e = error as { code?: unknown; responseCode?: unknown; command?: unknown };
  const where = `${settings.host}:${settings.port}`;
  const code = typeof e.responseCode === 'number' ? String(e.responseCode) : 'no code';
  if (e.code === 'EAUTH') return `the SMTP server ${where} refused the login of "${settings.user ?? ''}" (${code}): check the user and password in SMTP_URL`;
  if (e.code === 'ETIMEDOUT') return `the SMTP server ${where} did not answer in time`;
  if (e.code === 'ECONNECTION' || e.code === 'ESOCKET' || e.code === 'ECONNREFUSED' || e.code === 'EDNS') {
    return `the SMTP server ${where} cannot be reached (${String(e.code)})`;
  }
  if (e.code === 'ETLS') return `the SMTP server ${where} offers no usable TLS (STARTTLS is required for smtp:// to a host other than this machine)`;
  if (e.code === 'EENVELOPE') return `the SMTP server ${where} refused the sender or every recipient (${code}): check ALERT_EMAIL_FROM and ALERT_EMAIL_TO`;
  if (typeof e.responseCode === 'number') return `the SMTP server ${where} answered ${e.responseCode}${typeof e.command === 'string' ? ` to ${e.command.split(' ')[0]}` : ''}`;
  return `the SMTP server ${where} failed (${typeof e.code === 'string' ? e.code : 'unknown error'})`;
}

/**
 * SMTP_URL + ALERT_EMAIL_TO/FROM. A burst of waiting alerts goes as one e-mail listing them. An
 * alert counts as sent when the server accepted the message for at least one recipient.
 */
export class EmailChannel implements ChannelSender {
  readonly name = 'email';
  readonly bundle = 500;
  readonly where: string;

  constructor(
    private readonly settings: AlertEmailSettings,
    private readonly language: AlertLanguage,
    private readonly shop: string,
    private readonly timeoutMs: number,
  ) {
    this.where = `${settings.host}:${settings.port}`;
  }

  /**
   * A transport over our own connection, so a stopping process can cut a hung conversation at once
   * (nodemailer's close() leaves it to its timeouts) and exit without waiting for the server.
   * nodemailer is loaded on the first e-mail: a daemon without SMTP_URL never pays its memory.
   */
  private async transport() {
    const { default: nodemailer } = await import('nodemailer');
    const sockets: Socket[] = [];
    const transport = nodemailer.createTransport({
      ...smtpOptions(this.settings, this.timeoutMs),
      getSocket: (_options, callback) => {
        const socket = connect({ host: this.settings.host, port: this.settings.port });
        sockets.push(socket);
        const timer = setTimeout(() => socket.destroy(Object.assign(new Error('connection timeout'), { code: 'ETIMEDOUT' })), this.timeoutMs);
        socket.once('connect', () => {
          clearTimeout(timer);
          callback(null, { connection: socket });
        });
        socket.once('error', (error) => {
          clearTimeout(timer);
          callback(error, {});
        });
      },
    });
    const cut = () => {
      for (const socket of sockets) socket.destroy();
    };
    return { transport, cut };
  }

  /** A summary is its own e-mail, never part of a bundle. */
  alone(kind: string): boolean {
    return kind === 'daily-summary';
  }

  async deliver(events: readonly AlertEvent[], signal: AbortSignal): Promise<string | void> {
    if (events.length === 0) return;
    const content = composeEmail(events, this.language, this.shop);
    const { transport, cut } = await this.transport();
    if (signal.aborted) throw new AlertDeliveryError('cut off because the process was stopping');
    signal.addEventListener('abort', cut, { once: true });
    try {
      const info = await transport.sendMail({ from: this.settings.from, to: this.settings.to, subject: content.subject, text: content.text, html: content.html });
      if (info.accepted.length === 0) throw Object.assign(new Error('no recipient accepted'), { code: 'EENVELOPE' });
      // Sent (someone reads it), but a person in ALERT_EMAIL_TO does not: said, not retried.
      const refused = info.rejected.map((r) => (typeof r === 'string' ? r : (r as { address: string }).address));
      if (refused.length > 0) return `the SMTP server ${this.where} refused ${refused.length} of ${this.settings.to.length} recipients (${refused.join(', ')}): check ALERT_EMAIL_TO`;
    } catch (error) {
      throw new AlertDeliveryError(smtpFailureWords(error, this.settings, signal));
    } finally {
      signal.removeEventListener('abort', cut);
      transport.close();
    }
  }

  /** `check`: connects and logs in, sends nothing; null when it works, else the one sentence. */
  async verify(): Promise<string | null> {
    const { transport } = await this.transport();
    try {
      await transport.verify();
      return null;
    } catch (error) {
      return smtpFailureWords(error, this.settings);
    } finally {
      transport.close();
    }
  }
}
