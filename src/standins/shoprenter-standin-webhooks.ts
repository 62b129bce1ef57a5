import type { ApiAnswer, ApiData } from './shoprenter-standin-api.js';
import { shoprenterError } from './shoprenter-standin-api.js';
import { hrefBase } from './shoprenter-wire.js';

const EVENTS = ['order_confirm', 'order_status_change', 'abandoned_cart', 'newsletter_subscribe', 'newsletter_unsubscribe', 'newsletter_update_subscriber'];
let nextId = 140;

/**
 * POST /webHooks and DELETE /webHooks/{id} of the stand-in (reference §10). Stored webhooks live in
 * `catalog.webHooks`, so GET answers them like any list; they come back in the shape of the docs'
 * GET sample (`webhook.get_id.json`): `webHookParameters` as one object with a `webHook` link,
 * although the POST body sends a list.
 */
export function answerWebHookWrite(data: ApiData, method: string, path: string, body: string): ApiAnswer {
  const hooks = (data.catalog['webHooks'] ??= []);
  const [, resource, id] = path.split('/');
  if (resource !== 'webHooks') return shoprenterError(405, 40501, 'Method not allowed!');
  if (method === 'DELETE' && id !== undefined) {
    const at = hooks.findIndex((hook) => hook['id'] === decodeURIComponent(id));
    if (at < 0) return shoprenterError(404, 40401, 'Resource not found! webHooks');
    hooks.splice(at, 1);
    return { status: 204, body: '' };
  }
  if (method !== 'POST' || id !== undefined) return shoprenterError(405, 40501, 'Method not allowed!');
  let request: Record<string, unknown>;
  try {
    request = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return shoprenterError(400, 40001, 'The request body is not valid JSON!');
  }
  const params = Array.isArray(request['webHookParameters']) ? (request['webHookParameters'] as Record<string, unknown>[]) : [];
  const first = params[0];
  if (typeof request['event'] !== 'string' || !EVENTS.includes(request['event']) || !first || typeof first['url'] !== 'string') {
    return shoprenterError(400, 40002, 'Invalid webhook: event and webHookParameters[].url are required!');
  }
  const newId = Buffer.from(`webHook-notification_id=${nextId++}`).toString('base64');
  const href = `${hrefBase(data.shop)}/webHooks/${newId}`;
  const stored = {
    href,
    id: newId,
    event: request['event'],
    status: typeof request['status'] === 'string' || typeof request['status'] === 'number' ? String(request['status']) : '1',
    label: typeof request['label'] === 'string' ? request['label'] : '',
    webHookParameters: { type: first['type'] ?? 'json', url: first['url'], webHook: { href }, ...(first['fields'] ? { fields: first['fields'] } : {}) },
  };
  hooks.push(stored);
  return { status: 201, body: stored };
}
