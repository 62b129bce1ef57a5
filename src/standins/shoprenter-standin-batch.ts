import { shoprenterError, type ApiAnswer } from './shoprenter-standin-api.js';

/** What the batch needs of the stand-in's fault and log entries (shoprenter-standin.ts), without importing it. */
interface FaultLike {
  kind: string;
  status?: number;
  path?: string;
  target?: string;
}
interface SubLogEntry {
  method: string;
  path: string;
  query: string;
  status: number;
}

/**
 * The stand-in's `POST /batch` (reference §2.4): `{"data":{"requests":[{"method","uri"}]}}`
 * answered with `{"requests":{"request":[{"method","uri","response":{"header":{"statusCode"},"body"}}]}}`,
 * 200 even when sub-requests fail, the status a string for a success and a number for a failure
 * (the docs show both). Only GETs are served inside a batch here; at most 200 sub-requests.
 *
 * Whether a batch counts as one request or as many against 3 a second is UNKNOWN, so the
 * stand-in can be told: `one` (the batch is one request), `each` (every sub-request after the
 * first needs a slot of the sliding second, and one that finds none answers 429 inside the
 * batch), or `absent` (the endpoint answers 404, as on a host without it).
 */
export type BatchCounting = 'one' | 'each' | 'absent';

export const MAX_SUB_REQUESTS = 200;

export interface BatchHooks {
  /** Path of `uri` relative to the API base ("/productExtend/x") with its query, or null when the URI names another host or base. */
  locate(uri: string): { path: string; query: URLSearchParams } | null;
  /** Answers one GET, as a request of its own would be answered. */
  serve(path: string, query: URLSearchParams): ApiAnswer;
  /** A status fault aimed at this path, consumed; null when none. */
  fault(path: string): number | null;
  /** Takes a slot of the rate limit for a sub-request; false when none is free (counting `each`). */
  admit(): boolean;
  /** Records a served sub-request (the stand-in's batchLog). */
  log(path: string, query: string, status: number): void;
}

export function answerBatch(body: string, counting: BatchCounting, hooks: BatchHooks): ApiAnswer {
  if (counting === 'absent') return shoprenterError(404, 40401, 'Resource not found! batch');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return shoprenterError(400, 40001, 'Data parameter not found in POST/PUT!');
  }
  const requests = (parsed as { data?: { requests?: unknown } } | null)?.data?.requests;
  if (!Array.isArray(requests)) return shoprenterError(400, 40001, 'Data parameter not found in POST/PUT!');
  if (requests.length > MAX_SUB_REQUESTS) return shoprenterError(400, 40010, `The given parameter: requests is not available!`);
  const answered = requests.map((raw: unknown, index) => {
    const request = (raw ?? {}) as { method?: unknown; uri?: unknown };
    const method = typeof request.method === 'string' ? request.method.toUpperCase() : '';
    const uri = typeof request.uri === 'string' ? request.uri : '';
    return { method, uri, response: subAnswer(method, uri, index, counting, hooks) };
  });
  return { status: 200, body: { requests: { request: answered } } };
}

function subAnswer(method: string, uri: string, index: number, counting: BatchCounting, hooks: BatchHooks) {
  const located = hooks.locate(uri);
  let answer: ApiAnswer;
  if (counting === 'each' && index > 0 && !hooks.admit()) answer = { status: 429, body: { message: 'Too Many Requests' } };
  // A URI the API cannot route: the docs' batch example answers it 404 with only a message.
  else if (located === null) answer = { status: 404, body: { message: `Resource matching URI "${uri}" not found` } };
  else if (method !== 'GET') answer = shoprenterError(405, 40501, 'Method not allowed!');
  else {
    const status = hooks.fault(located.path);
    answer = status === null ? hooks.serve(located.path, located.query) : { status, body: { message: 'Service Unavailable' } };
  }
  if (located) hooks.log(located.path, located.query.toString(), answer.status);
  const statusCode = answer.status >= 200 && answer.status < 300 ? String(answer.status) : answer.status;
  return { header: { statusCode }, body: answer.body };
}

/**
 * The stand-in's hooks for one batch: sub-requests meet the same data, the same status faults (by
 * path, consumed one each) and, when counted, the same limit as requests of their own.
 */
export function standinBatchHooks(
  host: string | undefined,
  deps: {
    serve: BatchHooks['serve'];
    faults: () => readonly FaultLike[];
    takeFault: (path: string) => FaultLike | null;
    admit: () => boolean;
    log: (entry: SubLogEntry) => void;
  },
): BatchHooks {
  return {
    locate(uri) {
      let url: URL;
      try {
        url = new URL(uri);
      } catch {
        return null;
      }
      if (url.host !== host || !url.pathname.startsWith('/api/')) return null;
      return { path: url.pathname.slice(4), query: url.searchParams };
    },
    serve: deps.serve,
    fault(path) {
      const head = deps.faults()[0];
      if (head?.kind !== 'status' || (head.target ?? 'api') === 'token' || (head.path && !path.startsWith(head.path))) return null;
      return deps.takeFault(path)?.status ?? 500;
    },
    admit: deps.admit,
    log: (path, query, status) => deps.log({ method: 'GET', path: `/api${path}`, query, status }),
  };
}
