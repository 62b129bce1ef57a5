import { describe, expect, it } from '@jest/globals';
import { smtpOptions } from '../src/alerts/email-channel.js';
import { loadAlertEmail } from '../src/config/alert-email-env.js';
import { ConfigError } from '../src/errors.js';

/** SMTP_URL, ALERT_EMAIL_TO and ALERT_EMAIL_FROM: what each shape means, and sentences that never echo the password. */
describe('e-mail alert settings', () => {
  const base = { ALERT_EMAIL_TO: 'owner@shop.hu, konyvelo@shop.hu', ALERT_EMAIL_FROM: 'alerts@shop.hu' };

  it('reads smtps (TLS, port 465 by default) and decodes the password', () => {
    const s = loadAlertEmail({ ...base, SMTP_URL: 'smtps://alerts%40shop.hu:p%40ss%3Aw0rd@smtp.example.hu' })!;
    expect(s).toMatchObject({ protocol: 'smtps', host: 'smtp.example.hu', port: 465, user: 'alerts@shop.hu', password: 'p@ss:w0rd', loopback: false, to: ['owner@shop.hu', 'konyvelo@shop.hu'] });
    expect(smtpOptions(s, 10_000)).toMatchObject({ secure: true, requireTLS: false, auth: { user: 'alerts@shop.hu', pass: 'p@ss:w0rd' } });
    expect(smtpOptions(s, 10_000).tls).toBeUndefined(); // certificates are checked
  });

  it('requires STARTTLS for smtp:// to another host, and accepts plain SMTP only towards loopback', () => {
    const remote = loadAlertEmail({ ...base, SMTP_URL: 'smtp://u:pw@smtp.example.hu:587' })!;
    expect(smtpOptions(remote, 10_000)).toMatchObject({ secure: false, requireTLS: true, port: 587 });
    expect(smtpOptions(remote, 10_000).tls).toBeUndefined();
    const local = loadAlertEmail({ ...base, SMTP_URL: 'smtp://127.0.0.1:25' })!;
    expect(smtpOptions(local, 10_000)).toMatchObject({ secure: false, requireTLS: false, port: 25 });
    expect(smtpOptions(local, 10_000).auth).toBeUndefined();
  });

  it('takes the sender from the login when ALERT_EMAIL_FROM is unset and the login is an address', () => {
    expect(loadAlertEmail({ SMTP_URL: 'smtps://alerts%40shop.hu:pw@smtp.example.hu', ALERT_EMAIL_TO: 'o@shop.hu' })!.from).toBe('alerts@shop.hu');
  });

  it.each([
    [{ SMTP_URL: 'http://u:Secret-pw-1@smtp.example.hu' }, 'SMTP_URL must start with smtps://'],
    [{ SMTP_URL: 'smtps://u:Secret-pw-1@smtp.example.hu', ALERT_EMAIL_TO: '' }, 'ALERT_EMAIL_TO is not'],
    [{ SMTP_URL: 'smtps://u:Secret-pw-1@smtp.example.hu', ALERT_EMAIL_TO: 'owner at shop' }, 'ALERT_EMAIL_TO has "owner at shop"'],
    [{ SMTP_URL: 'smtps://u:Secret-pw-1@smtp.example.hu', ALERT_EMAIL_TO: 'o@shop.hu', ALERT_EMAIL_FROM: '' }, 'ALERT_EMAIL_FROM is not set'],
    [{ ALERT_EMAIL_TO: 'o@shop.hu' }, 'SMTP_URL is not'],
    [{ SMTP_URL: 'smtps://u:Secret-pw-1@' }, 'SMTP_URL'],
  ])('refuses %j in one sentence without the password', (raw, words) => {
    let error: unknown;
    try {
      loadAlertEmail({ ALERT_EMAIL_TO: 'o@shop.hu', ALERT_EMAIL_FROM: 'a@shop.hu', ...raw });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(words);
    expect((error as Error).message).not.toContain('Secret-pw-1');
  });
});
