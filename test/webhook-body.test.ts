import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parseWebhookBody } from '../src/http/webhook-body.js';
import { TokenBucket, TriggerQueue } from '../src/sync/trigger-queue.js';

/** reference §10: a form field `data` holding {"orders":{"order":[…]}}; the refs are innerId or innerResourceId minus "orders/". */

const fixture = (name: string) => readFileSync(new URL(`./fixtures/webhooks/${name}`, import.meta.url), 'utf8');
const form = (json: string) => Buffer.from(new URLSearchParams({ data: json }).toString());

describe('parseWebhookBody', () => {
  it('takes the order number from each real and documented payload', () => {
    expect(parseWebhookBody('application/x-www-form-urlencoded', form(fixture('biobubi_order_2326.json')))).toEqual({ ok: true, refs: ['2326'] });
    expect(parseWebhookBody('application/x-www-form-urlencoded; charset=UTF-8', form(fixture('biobubi_order_8049.json')))).toEqual({ ok: true, refs: ['8049'] });
    expect(parseWebhookBody('application/json', Buffer.from(fixture('sr-docs_order_confirm.HU-2023.json')))).toEqual({ ok: true, refs: ['190'] });
  });

  it('falls back to the API id, accepts "order_"-prefixed keys (registrations with `fields`) and de-duplicates', () => {
    const json = JSON.stringify({ orders: { order: [{ innerResourceId: 'orders/b3JkZXItb3JkZXJfaWQ9MjMyNg==' }, { order_innerId: 12 }, { innerId: '12' }] } });
    expect(parseWebhookBody(undefined, Buffer.from(json))).toEqual({ ok: true, refs: ['b3JkZXItb3JkZXJfaWQ9MjMyNg==', '12'] });
  });

  it('reads the `data` part of a multipart body', () => {
    const body = Buffer.from('--b1\r\nContent-Disposition: form-data; name="event"\r\n\r\norder_confirm\r\n--b1\r\nContent-Disposition: form-data; name="data"\r\n\r\n{"orders":{"order":[{"innerId":"77"}]}}\r\n--b1--\r\n');
    expect(parseWebhookBody('multipart/form-data; boundary=b1', body)).toEqual({ ok: true, refs: ['77'] });
  });

  it.each([
    ['no data field', 'application/x-www-form-urlencoded', Buffer.from('other=1')],
    ['not JSON', 'application/x-www-form-urlencoded', form('{"orders"')],
    ['no orders', 'application/json', Buffer.from('{"order":[{"innerId":"1"}]}')],
    ['an unusable ref', 'application/json', Buffer.from('{"orders":{"order":[{"innerId":"1 OR 1=1","innerResourceId":"../x"}]}}')],
    ['51 orders', 'application/json', Buffer.from(JSON.stringify({ orders: { order: Array.from({ length: 51 }, (_, i) => ({ innerId: String(i + 1) })) } }))],
  ])('refuses %s', (_name, type, body) => {
    expect(parseWebhookBody(type, body).ok).toBe(false);
  });
});

describe('TriggerQueue and TokenBucket', () => {
  it('coalesces a ref already waiting and drops past its bound', () => {
    const queue = new TriggerQueue(2);
    expect([queue.add('1', 10), queue.add('1', 20), queue.add('2', 30), queue.add('3', 40)]).toEqual(['queued', 'coalesced', 'queued', 'dropped']);
    expect(queue.take()).toEqual({ ref: '1', receivedAt: 10 });
    expect(queue.add('1', 50)).toBe('queued');
  });

  it('gives a burst of 3, then one token a second', () => {
    let now = 0;
    const bucket = new TokenBucket(1, 3, () => now);
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([0, 0, 0]);
    expect(bucket.tryTake()).toBe(1000);
    now = 400;
    expect(bucket.tryTake()).toBe(600);
    now = 1000;
    expect(bucket.tryTake()).toBe(0);
    expect(bucket.tryTake()).toBe(1000);
  });
});
