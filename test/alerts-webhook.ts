import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One POST the webhook received. */
export interface WebhookCall {
  raw: string;
  json: Record<string, unknown>;
  contentType: string;
}

/** A real local incoming-webhook endpoint (Slack/Teams/Discord stand-in) on 127.0.0.1, port 0. */
export interface WebhookServer {
  url: string;
  calls: WebhookCall[];
  /** HTTP status to answer with from now on (default 200). */
  answer(status: number): void;
  close(): Promise<void>;
}

export async function startWebhook(): Promise<WebhookServer> {
  const calls: WebhookCall[] = [];
  let status = 200;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        // kept as raw only; the test asserts on it
      }
      calls.push({ raw, json, contentType: req.headers['content-type'] ?? '' });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'webhook down');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/sync`,
    calls,
    answer(next) {
      status = next;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
