/**
 * Reads which orders a Shoprenter webhook names (reference §10): a form field `data` holding the
 * JSON `{"orders":{"order":[…]}}`, sent url-encoded or as multipart/form-data; a raw JSON body is
 * accepted too. Only the order number (`innerId`) or API id (`innerResourceId` without its
 * "orders/" prefix) is taken: the payload is a trigger, never the source of invoice data.
 * Pure: no I/O, so every malformed shape is answered 400 before anything changes.
 */

/** Shoprenter sends one order per webhook; a body naming more than this is refused. */
export const MAX_ORDERS_PER_WEBHOOK = 50;

export type WebhookBody = { ok: true; refs: string[] } | { ok: false; reason: string };

const ORDER_NUMBER = /^\d{1,12}$/;
// API ids are base64 of "order-order_id=N" (reference §3); they end up in a URL path, so keep them tame.
const API_ID = /^[A-Za-z0-9+/=_-]{1,200}$/;

export function parseWebhookBody(contentType: string | undefined, body: Buffer): WebhookBody {
  const type = (contentType ?? '').toLowerCase();
  let json: string | null;
  if (type.startsWith('application/x-www-form-urlencoded')) {
    json = new URLSearchParams(body.toString('utf8')).get('data');
  } else if (type.startsWith('multipart/form-data')) {
    json = multipartField(type, contentType ?? '', body, 'data');
  } else {
    json = body.toString('utf8');
  }
  if (json === null || json.trim() === '') return { ok: false, reason: 'no "data" field' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return { ok: false, reason: 'the data is not JSON' };
  }
  return orderRefs(parsed);
}

function orderRefs(parsed: unknown): WebhookBody {
  const orders = field(field(parsed, 'orders'), 'order');
  const list = Array.isArray(orders) ? (orders as unknown[]) : orders && typeof orders === 'object' ? [orders] : null;
  if (list === null || list.length === 0) return { ok: false, reason: 'no orders.order[]' };
  if (list.length > MAX_ORDERS_PER_WEBHOOK) return { ok: false, reason: `more than ${MAX_ORDERS_PER_WEBHOOK} orders` };
  const refs: string[] = [];
  for (const item of list) {
    const ref = orderRef(item);
    if (ref === null) return { ok: false, reason: 'an order without a usable innerId or innerResourceId' };
    if (!refs.includes(ref)) refs.push(ref);
  }
  return { ok: true, refs };
}

/** Unprefixed keys without `fields` in the registration; "order_"-prefixed names are accepted too. */
function orderRef(item: unknown): string | null {
  const innerId = text(field(item, 'innerId') ?? field(item, 'order_innerId'));
  if (innerId !== null && ORDER_NUMBER.test(innerId)) return innerId;
  const resource = text(field(item, 'innerResourceId') ?? field(item, 'order_innerResourceId'));
  if (resource === null) return null;
  const id = resource.replace(/^orders\//, '');
  return API_ID.test(id) && !/^\d+$/.test(id) ? id : null;
}

function field(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
}

function text(value: unknown): string | null {
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  return typeof value === 'string' ? value.trim() : null;
}

/** The value of one text field of a multipart/form-data body; null when absent or unparsable. */
function multipartField(lowerType: string, contentType: string, body: Buffer, name: string): string | null {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary || !lowerType.includes('boundary=')) return null;
  const delimiter = `--${boundary}`;
  const parts = body.toString('utf8').split(delimiter);
  for (const part of parts.slice(1)) {
    if (part.startsWith('--')) break;
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd < 0) continue;
    const headers = part.slice(0, headerEnd);
    const disposition = /content-disposition:\s*form-data;([^\r\n]*)/i.exec(headers)?.[1] ?? '';
    const fieldName = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    if (fieldName !== name) continue;
    return part.slice(headerEnd + 4).replace(/\r\n$/, '');
  }
  return null;
}
