import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One POST the webhook received. */
export interface WebhookCall {
  raw: string;
  json: Record<string, unknown>;
  contentType: string;
  /** What the endpoint answered (null while held, or when the client gave up first). */
  status: number | null;
}

/** A real local incoming-webhook endpoint (Slack/Teams/Discord stand-in) on 127.0.0.1, port 0. */
export interface WebhookServer {
  url: string;
  calls: WebhookCall[];
  /** Calls the endpoint answered with a 2xx. */
  accepted(): WebhookCall[];
  /** HTTP status to answer with from now on (default 200). */
  answer(status: number): void;
  /** Statuses for the next calls, in order, before falling back to `answer`'s. */
  script(statuses: number[]): void;
  /** Holds every request open, unanswered, until `release()` (a hung endpoint). */
  hang(): void;
  /** Answers the held requests (with the current status) and stops holding. */
  release(): void;
  /** Called when a request ends, answered or abandoned by the client. */
  onRequestEnd: ((call: WebhookCall) => void) | null;
  close(): Promise<void>;
}

export async function startWebhook(options: { path?: string } = {}): Promise<WebhookServer> {
  const calls: WebhookCall[] = [];
  let status = 200;
  let scripted: number[] = [];
  let holding = false;
  const held: (() => void)[] = [];
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
      const call: WebhookCall = { raw, json, contentType: req.headers['content-type'] ?? '', status: null };
      calls.push(call);
      let ended = false;
      const end = (): void => {
        if (ended) return;
        ended = true;
        api.onRequestEnd?.(call);
      };
      res.on('close', end);
      const respond = (): void => {
        if (res.destroyed) return;
        const answer = scripted.shift() ?? status;
        call.status = answer;
        res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer < 300 ? 'ok' : 'webhook down');
      };
      if (holding) held.push(respond);
      else respond();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const api: WebhookServer = {
    url: `http://127.0.0.1:${port}${options.path ?? '/hooks/sync'}`,
    calls,
    accepted: () => calls.filter((c) => c.status !== null && c.status >= 200 && c.status < 300),
    answer(next) {
      status = next;
    },
    script(statuses) {
      scripted = [...statuses];
    },
    hang() {
      holding = true;
    },
    release() {
      holding = false;
      for (const respond of held.splice(0)) respond();
    },
    onRequestEnd: null,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return api;
}
