import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { urlToHttpOptions } from 'node:url';
import { SPARELESS, connectedBeforeHandOver, openedAhead } from './net-spare.js';

/**
 * One HTTP exchange on Node's own client, for every remote the daemon calls (Shoprenter, Cashman,
 * the alert webhook): no retry and no redirect (each caller decides what a failure means), the
 * answer as UTF-8 text whatever its status, and one deadline for the whole exchange. got did the
 * same with every one of those features switched off, at about three times the CPU per request and
 * about 6 MB of the daemon's peak resident memory for its module tree (http2, caching, streams),
 * which a daemon on a small VPS pays for all the time.
 */

export interface HttpAnswer {
  statusCode: number;
  /** Lower-case names, as Node gives them. */
  headers: http.IncomingHttpHeaders;
  text: string;
  /** It came on a connection opened ahead for the request (net-spare.ts). */
  openedAhead: boolean;
}

/**
 * The exchange failed. `connected` says whether the connection (TCP, and TLS for https) was ever
 * completed, `sent` whether the request was handed to it: with either false, no byte reached the server.
 */
export class HttpFailure extends Error {
  constructor(
    message: string,
    /** Node's error code (ECONNREFUSED, ETIMEDOUT for the deadline, ECONNRESET for a cut answer, ...). */
    readonly code: string | undefined,
    readonly connected: boolean,
    options?: { cause?: unknown },
    readonly sent = true,
    /** The connection was opened ahead for this request (net-spare.ts). */
    readonly openedAhead = false,
  ) {
    super(message, options);
  }
}

/** `sendAfter` rejected (or had not settled by the deadline): the request was dropped before its first byte; `cause` says why. */
export class HeldBack extends Error {}

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
  /** The largest answer taken, on the wire and unpacked (code ERR_ANSWER_TOO_LARGE); default 64 MiB. */
  maxBytes?: number;
  /**
   * The connection is opened at once, but no byte (headers included: Node writes them with the
   * body at `end()`) is written before this resolves; when it rejects, or has not settled by the
   * deadline (which counts from the call), the request is dropped unsent and the call rejects with
   * HeldBack. A connection failing meanwhile is an HttpFailure with `sent` false.
   */
  sendAfter?: Promise<unknown>;
  /** Called once the request was handed to the connection (after `sendAfter`), e.g. to open the next one. */
  afterSend?: () => void;
}

const ENCODINGS = 'gzip, deflate, br';
const PACKED = new Set(['gzip', 'x-gzip', 'deflate', 'br']);
// A Shoprenter page of 200 full orders is a few MB; far past that an answer is a fault (or a
// compression bomb: 2.5 MB of gzip can unpack to 560 MB), refused before it is held in memory.
const MAX_ANSWER_BYTES = 64 * 1024 * 1024;
const tooLarge = (max: number) => Object.assign(new Error(`The answer is larger than ${Math.round(max / 1048576)} MB`), { code: 'ERR_ANSWER_TOO_LARGE' });

export function httpRequest(url: URL, options: HttpRequestOptions): Promise<HttpAnswer> {
  const secure = url.protocol === 'https:';
  const body = options.body === undefined ? undefined : typeof options.body === 'string' ? Buffer.from(options.body, 'utf8') : options.body;
  const headers: Record<string, string | number> = { ...options.headers };
  if (body !== undefined) headers['content-length'] = body.length;
  if (options.decompress) headers['accept-encoding'] = ENCODINGS;
  const maxBytes = options.maxBytes ?? MAX_ANSWER_BYTES;
  return new Promise<HttpAnswer>((resolve, reject) => {
    const deadline = performance.now() + options.timeoutMs;
    let connected = false;
    let sent = false;
    let assigned: Socket | null = null;
    let early: (() => void) | null = null;
    const stopEarly = (): void => {
      if (early !== null) assigned?.off('data', early);
      early = null;
    };
    let settled = false;
    // The answer is complete and being unpacked: the socket's 'close' meanwhile is not a cut.
    let unpacking = false;
    // The exchange ends once: false when it already had.
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      stopEarly();
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const fail = (error: unknown): void => {
      if (!settle()) return;
      const e = error as { message?: string; code?: string };
      reject(new HttpFailure(e.message ?? String(error), e.code, connected, { cause: error }, sent, assigned !== null && openedAhead(assigned)));
      request.destroy();
    };
    const holdBack = (error: unknown): void => {
      if (!settle()) return;
      reject(new HeldBack('The request was held back before it was sent', { cause: error }));
      request.destroy();
    };
    const holdBackLate = (): void => holdBack(Object.assign(new Error(`sendAfter did not settle within ${options.timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    const succeed = (answer: HttpAnswer): void => {
      if (settle()) resolve(answer);
    };
    const onAbort = (): void => fail(Object.assign(new Error('The request was aborted'), { code: 'ABORT_ERR' }));
    const request = (secure ? https : http).request({
      ...targetOf(url),
      method: options.method,
      ...(options.agent ? { agent: options.agent } : {}),
      headers,
      ...(options.sendAfter ? {} : SPARELESS),
    });
    // The deadline yields to I/O once: after the event loop was blocked (SQLite waiting on a locked
    // file blocks it for seconds), timers run before the answer that arrived meanwhile is read.
    const timer = setTimeout(() => {
      setImmediate(() => {
        // Still waiting for sendAfter: what held the request back is the wait, not the server.
        if (!sent && options.sendAfter) holdBackLate();
        else fail(Object.assign(new Error(`Timeout awaiting 'request' for ${options.timeoutMs}ms`), { code: 'ETIMEDOUT' }));
      });
    }, options.timeoutMs);
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    request.once('socket', (socket: Socket) => {
      assigned = socket;
      // Bytes from the server before the request was written (sendAfter pending) answer nothing,
      // even when their header block completes only after the request left.
      // Removed once the request is written (or ends): a kept-alive socket serves many requests,
      // and a listener left per request would keep each one's answer alive with it.
      if (!sent) {
        early = () => !sent && fail(Object.assign(new Error('The server answered before the request was sent'), { code: 'ERR_ANSWER_BEFORE_REQUEST' }));
        socket.on('data', early);
      }
      // Connected before it was handed over: a kept-alive socket (taken from the pool, or given to a
      // request the agent had queued) or a spare whose handshake completed. A fresh one (a spare
      // still connecting included) counts once its handshake completed.
      const handedOver = openedAhead(socket);
      if (request.reusedSocket || connectedBeforeHandOver(socket) || (!handedOver && !socket.connecting)) connected = true;
      else
        socket.once(secure ? 'secureConnect' : 'connect', () => {
          connected = true;
        });
    });
    // on, not once: fail() runs once, and a second 'error' must not become an uncaught one.
    request.on('error', fail);
    request.once('response', (response) => {
      // An answer to nothing: the request was not written yet (sendAfter pending). Whatever it
      // says (a 200 included), it is not this request's answer, and provably nothing was sent.
      // (The socket's early-bytes check below runs after the parser, which emits this first.)
      if (!sent) return fail(Object.assign(new Error('The server answered before the request was sent'), { code: 'ERR_ANSWER_BEFORE_REQUEST' }));
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        if (settled) return;
        size += chunk.length;
        if (size > maxBytes) return fail(tooLarge(maxBytes));
        chunks.push(chunk);
      });
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
        // Whatever goes wrong in making the text fails this exchange; nothing may escape the promise.
        const finish = (bytes: Buffer): void => {
          let text: string;
          try {
            text = bytes.toString('utf8');
          } catch (error) {
            return fail(error);
          }
          succeed({ statusCode: response.statusCode ?? 0, headers: response.headers, text, openedAhead: assigned !== null && openedAhead(assigned) });
        };
        // As got did: only the codings asked for are unpacked, and an empty answer (a 204 labelled
        // gzip) has nothing to unpack; any other label ("none") leaves the bytes as they came.
        if (!PACKED.has(encoding) || raw.length === 0) return finish(raw);
        unpacking = true;
        unpack(raw, encoding, maxBytes).then(finish, fail);
      });
    });
    const write = (): void => {
      if (settled) return;
      // The deadline passed while the event loop was blocked, and its timer has not run yet: the
      // request must not leave now (the timer would then cut it off after it was written).
      if (performance.now() >= deadline) return holdBackLate();
      sent = true;
      stopEarly();
      request.end(body);
      options.afterSend?.();
    };
    // Written once its connection is known. On one opened ahead, only after the events already
    // waiting on it were read (setImmediate runs after the poll phase): a close or a byte the server
    // sent while it waited then fails the request unsent instead of meeting it on the wire.
    const send = (): void => {
      if (settled) return;
      // Nothing to wait for: written at once, as the call is made (the event loop may block right
      // after it, and the request must already be on its way). Such a request never takes a
      // connection opened ahead (SPARELESS in its options, above).
      if (!options.sendAfter) return write();
      if (assigned === null) return void request.once('socket', send);
      if (openedAhead(assigned)) setImmediate(write);
      else write();
    };
    if (options.sendAfter) options.sendAfter.then(send, holdBack);
    else send();
  });
}

/**
 * What Node's client takes from a URL (what `request(url, …)` works out on every call), once per URL
 * object: the Cashman client sends every request to the same one. Worked out again if the URL was
 * changed since.
 */
const targets = new WeakMap<URL, http.RequestOptions & { href?: string }>();
function targetOf(url: URL): http.RequestOptions {
  let target = targets.get(url);
  if (target?.href !== url.href) {
    target = urlToHttpOptions(url);
    targets.set(url, target);
  }
  return target;
}

async function unpack(raw: Buffer, encoding: string, maxBytes: number): Promise<Buffer> {
  const zlib = await import('node:zlib');
  const limit = { maxOutputLength: maxBytes };
  try {
    if (encoding === 'br') return zlib.brotliDecompressSync(raw, limit);
    if (encoding === 'deflate') {
      // Servers send "deflate" both zlib-wrapped (RFC 9110) and raw; the first byte tells which.
      return (raw[0]! & 0x0f) === 0x08 ? zlib.inflateSync(raw, limit) : zlib.inflateRawSync(raw, limit);
    }
    return zlib.gunzipSync(raw, limit);
  } catch (error) {
    throw (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ? tooLarge(maxBytes) : error;
  }
}
