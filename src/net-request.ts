import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';

/**
 * One HTTP exchange on Node's own client, for every remote the daemon calls (Shoprenter, Cashman,
 * the alert webhook): no retry and no redirect (each caller decides what a failure means), the
 * answer as UTF-8 text whatever its status, and one deadline for the whole exchange. got did the
 * same with every one of those features switched off, at about three times the CPU per request and
 * some 15 MB of resident memory for its module tree (http2, caching, streams), which a daemon on a
 * small VPS pays for all the time.
 */

export interface HttpAnswer {
  statusCode: number;
  /** Lower-case names, as Node gives them. */
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** The exchange failed. `connected` says whether the connection (TCP, and TLS for https) was ever completed. */
export class HttpFailure extends Error {
  constructor(
    message: string,
    /** Node's error code (ECONNREFUSED, ETIMEDOUT for the deadline, ECONNRESET for a cut answer, ...). */
    readonly code: string | undefined,
    readonly connected: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface HttpRequestOptions {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  headers?: Record<string, string | number>;
  body?: Buffer | string;
  /** One deadline from the call to the answer's last byte. */
  timeoutMs: number;
  /** Default: Node's global agent for the URL's scheme (keep-alive on since Node 19). */
  agent?: http.Agent;
  /**
   * Ask for gzip/deflate/br (accept-encoding) and unpack such answers. zlib is loaded the first time
   * an answer needs it, so a server that never compresses costs its memory nothing.
   */
  decompress?: boolean;
  /** Aborts the exchange (code ABORT_ERR). */
  signal?: AbortSignal;
}

const ENCODINGS = 'gzip, deflate, br';

export function httpRequest(url: URL, options: HttpRequestOptions): Promise<HttpAnswer> {
  const secure = url.protocol === 'https:';
  const body = options.body === undefined ? undefined : typeof options.body === 'string' ? Buffer.from(options.body, 'utf8') : options.body;
  const headers: Record<string, string | number> = { ...options.headers };
  if (body !== undefined) headers['content-length'] = body.length;
  if (options.decompress) headers['accept-encoding'] = ENCODINGS;
  return new Promise<HttpAnswer>((resolve, reject) => {
    let connected = false;
    let settled = false;
    // The answer is complete and being unpacked: the socket's 'close' meanwhile is not a cut.
    let unpacking = false;
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      const e = error as { message?: string; code?: string };
      reject(new HttpFailure(e.message ?? String(error), e.code, connected, { cause: error }));
      request.destroy();
    };
    const succeed = (answer: HttpAnswer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve(answer);
    };
    const onAbort = (): void => fail(Object.assign(new Error('The request was aborted'), { code: 'ABORT_ERR' }));
    const request = (secure ? https : http).request(url, {
      method: options.method,
      ...(options.agent ? { agent: options.agent } : {}),
      headers,
    });
    // The deadline yields to I/O once: after the event loop was blocked (SQLite waiting on a locked
    // file blocks it for seconds), timers run before the answer that arrived meanwhile is read.
    const timer = setTimeout(() => {
      setImmediate(() => fail(Object.assign(new Error(`Timeout awaiting 'request' for ${options.timeoutMs}ms`), { code: 'ETIMEDOUT' })));
    }, options.timeoutMs);
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    request.once('socket', (socket: Socket) => {
      // A kept-alive socket was connected before; a fresh one counts once its handshake completed.
      if (request.reusedSocket) connected = true;
      else
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
        if (!settled && !unpacking) fail(Object.assign(new Error('The answer was cut off before its end'), { code: 'ECONNRESET' }));
      };
      response.once('aborted', cut);
      response.once('close', cut);
      response.once('end', () => {
        if (settled) return;
        if (!response.complete) return cut();
        const raw = Buffer.concat(chunks);
        const encoding = options.decompress ? String(response.headers['content-encoding'] ?? '').trim().toLowerCase() : '';
        const answer = (bytes: Buffer): HttpAnswer => ({ statusCode: response.statusCode ?? 0, headers: response.headers, text: bytes.toString('utf8') });
        if (encoding === '' || encoding === 'identity') return succeed(answer(raw));
        unpacking = true;
        unpack(raw, encoding).then((bytes) => succeed(answer(bytes)), fail);
      });
    });
    request.end(body);
  });
}

async function unpack(raw: Buffer, encoding: string): Promise<Buffer> {
  const zlib = await import('node:zlib');
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      return zlib.gunzipSync(raw);
    case 'deflate':
      // Servers send "deflate" both zlib-wrapped (RFC 9110) and raw; the first byte tells which.
      return (raw[0]! & 0x0f) === 0x08 ? zlib.inflateSync(raw) : zlib.inflateRawSync(raw);
    case 'br':
      return zlib.brotliDecompressSync(raw);
    default:
      throw Object.assign(new Error(`The answer came in an encoding not asked for (${encoding})`), { code: 'ERR_CONTENT_ENCODING' });
  }
}
