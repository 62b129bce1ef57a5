import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';

/**
 * One POST to Cashman on Node's own http client: no retry, no redirect, no decompression, the
 * answer as UTF-8 text whatever its status, and one deadline for the whole exchange. got did the
 * same at about three times the CPU and wall time per request (its hooks, streams and timers),
 * which a backfill pays twice per order.
 */

export interface PostAnswer {
  statusCode: number;
  text: string;
}

/** The exchange failed. `connected` says whether the connection (TCP, and TLS for https) was ever completed. */
export class PostFailure extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly connected: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function postOnce(url: URL, body: Buffer, contentType: string, timeoutMs: number, agent: http.Agent): Promise<PostAnswer> {
  const secure = url.protocol === 'https:';
  return new Promise<PostAnswer>((resolve, reject) => {
    let connected = false;
    let settled = false;
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const e = error as { message?: string; code?: string };
      reject(new PostFailure(e.message ?? String(error), e.code, connected, { cause: error }));
      request.destroy();
    };
    const request = (secure ? https : http).request(url, {
      method: 'POST',
      agent,
      headers: { 'content-type': contentType, 'content-length': body.length },
    });
    const timer = setTimeout(() => {
      fail(Object.assign(new Error(`Timeout awaiting 'request' for ${timeoutMs}ms`), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    request.once('socket', (socket: Socket) => {
      // A fresh socket (keep-alive is off): it counts as connected once the handshake completed.
      socket.once(secure ? 'secureConnect' : 'connect', () => {
        connected = true;
      });
    });
    // on, not once: fail() runs once, and a second 'error' must not become an uncaught one.
    request.on('error', fail);
    request.once('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', fail);
      // 'close' follows every answer, a complete one too: the error (and its stack) is built only
      // when the exchange is still open, not once per request for fail() to drop.
      const cut = () => {
        if (!settled) fail(Object.assign(new Error('The answer was cut off before its end'), { code: 'ECONNRESET' }));
      };
      response.once('aborted', cut);
      response.once('close', cut);
      response.once('end', () => {
        if (settled) return;
        if (!response.complete) return cut();
        settled = true;
        clearTimeout(timer);
        resolve({ statusCode: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    request.end(body);
  });
}
