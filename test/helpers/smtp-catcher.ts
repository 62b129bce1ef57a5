import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One message the catcher accepted, parsed. */
export interface CaughtMail {
  parsed: ParsedMail;
  raw: string;
  /** Envelope recipients. */
  rcptTo: string[];
  /** Whether the session had upgraded to TLS (STARTTLS) when the message was sent. */
  secure: boolean;
}

/**
 * A real SMTP server on 127.0.0.1, port 0: AUTH required and allowed only after STARTTLS (so a
 * delivered message proves both), with switches to refuse with a 4xx, refuse the login, or go down
 * and come back on the same port.
 */
export interface SmtpCatcher {
  port: number;
  /** smtp://user:password@127.0.0.1:port */
  url(password?: string): string;
  readonly user: string;
  readonly password: string;
  mails: CaughtMail[];
  /** Login attempts, accepted or not. */
  logins: { user: string; ok: boolean; secure: boolean }[];
  /** Answer the next `n` messages with 451 (try again later). */
  refuseNext(n: number): void;
  /** Messages refused so far. */
  refused: number;
  /** Stop listening (connections are refused) until `up()`. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startSmtpCatcher(options: { user?: string; password?: string; secure?: boolean; refuseRecipients?: readonly string[] } = {}): Promise<SmtpCatcher> {
  const user = options.user ?? 'alerts@shop.example.hu';
  const password = options.password ?? 'SmtpPw-SECRET-4711!x';
  const mails: CaughtMail[] = [];
  const logins: SmtpCatcher['logins'] = [];
  let refuse = 0;
  const make = (): SMTPServer =>
    new SMTPServer({
      // smtps: TLS from the first byte (smtp-server's built-in certificate).
      secure: options.secure ?? false,
      authMethods: ['PLAIN', 'LOGIN'],
      allowInsecureAuth: false,
      logger: false,
      onAuth(auth, session, callback) {
        const ok = auth.username === user && auth.password === password;
        logins.push({ user: auth.username ?? '', ok, secure: session.secure });
        if (!ok) return callback(new Error('Invalid username or password'));
        callback(null, { user: auth.username });
      },
      // A mailbox that does not exist there: 550 to its RCPT TO, the others go on.
      onRcptTo(address, _session, callback) {
        if (options.refuseRecipients?.includes(address.address)) return callback(Object.assign(new Error('No such user here'), { responseCode: 550 }));
        callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if (refuse > 0) {
            refuse -= 1;
            api.refused += 1;
            return callback(Object.assign(new Error('Mailbox busy, try again later'), { responseCode: 451 }));
          }
          const raw = Buffer.concat(chunks).toString('utf8');
          void simpleParser(raw).then((parsed) => {
            mails.push({ parsed, raw, rcptTo: session.envelope.rcptTo.map((r) => r.address), secure: session.secure });
            callback();
          });
        });
      },
    });
  let server = make();
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const port = (server.server.address() as AddressInfo).port;
  const api: SmtpCatcher = {
    port,
    user,
    password,
    url: (pw = password) => `${options.secure ? 'smtps' : 'smtp'}://${encodeURIComponent(user)}:${encodeURIComponent(pw)}@127.0.0.1:${port}`,
    mails,
    logins,
    refused: 0,
    refuseNext(n) {
      refuse = n;
    },
    async down() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    async up() {
      server = make();
      server.listen(port, '127.0.0.1');
      await once(server.server, 'listening');
    },
    async close() {
      if (server.server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return api;
}
