import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

export type SinkMode = 'ok' | 'fail' | 'hang';

/** One alert the sink accepted with a 2xx: what a person actually saw. */
export interface DeliveredAlert {
  kind: string;
  orderNumber: string | null;
  text: string;
  raw: string;
}

/**
 * The alert endpoint of a chat webhook: its URL carries a bearer token in the path, as Slack's and
 * Discord's do. It can answer 2xx, fail with a 503, or hang (hold the request unanswered) for a while.
 */
export interface AlertSink {
  url: string;
  token: string;
  delivered: DeliveredAlert[];
  /** Every POST seen, whatever was answered. */
  attempts: number;
  mode(next: SinkMode): void;
  close(): Promise<void>;
}

export async function startAlertSink(): Promise<AlertSink> {
  const token = `T${randomBytes(6).toString('hex')}/B${randomBytes(6).toString('hex')}/${randomBytes(12).toString('hex')}`;
  const delivered: DeliveredAlert[] = [];
  const held = new Set<http.ServerResponse>();
  let mode: SinkMode = 'ok';
  const sink = { attempts: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      sink.attempts += 1;
      const raw = Buffer.concat(chunks).toString('utf8');
      if (mode === 'hang') {
        held.add(res);
        res.on('close', () => held.delete(res));
        return;
      }
      if (mode === 'fail' || req.url !== `/services/${token}`) {
        res.writeHead(mode === 'fail' ? 503 : 404, { 'content-type': 'text/plain' }).end('no');
        return;
      }
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        // kept raw: the invariants read `raw`
      }
      delivered.push({
        kind: typeof json['kind'] === 'string' ? json['kind'] : '?',
        orderNumber: typeof json['orderNumber'] === 'string' ? json['orderNumber'] : null,
        text: typeof json['text'] === 'string' ? json['text'] : raw,
        raw,
      });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const release = () => {
    for (const res of held) res.destroy();
    held.clear();
  };
  return {
    url: `http://127.0.0.1:${port}/services/${token}`,
    token,
    delivered,
    get attempts() {
      return sink.attempts;
    },
    mode(next) {
      if (next !== 'hang') release();
      mode = next;
    },
    async close() {
      release();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
