import { httpRequest, type HttpAnswer } from '../net-request.js';

/** One request to Shoprenter; any status comes back as an answer, only a missing answer throws (HttpFailure). */
export type ShoprenterSend = (url: URL, request: { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; headers?: Record<string, string>; body?: string }) => Promise<HttpAnswer>;

const HEADERS = { accept: 'application/json', 'content-type': 'application/json', 'user-agent': 'shoprenter-cashman-sync' };

/**
 * How every Shoprenter request goes out (orders, products, webhooks, tokens): JSON asked for by
 * header (XML otherwise, reference §2), compressed answers accepted, no retries or redirects
 * (ShoprenterHttp decides), status codes handled by the caller, certificate checks on (Node's
 * default), sockets kept alive between requests (Node's global agent, as before): reads are safe to
 * repeat and a stock write sets an absolute value, so a request lost on a closing socket is simply retried.
 */
export function shoprenterSend(timeoutMs = 30_000): ShoprenterSend {
  return (url, request) =>
    httpRequest(url, {
      method: request.method,
      headers: { ...HEADERS, ...request.headers },
      ...(request.body === undefined ? {} : { body: request.body }),
      timeoutMs,
      decompress: true,
    });
}
