import type { AlertEvent } from './alert-event.js';
import { summaryTextEn } from './summary-text.js';
import type { AlertFrame, AlertTable } from './text-shapes.js';

const order = (e: AlertEvent): string => e.orderNumber ?? '?';
const ref = (e: AlertEvent): string => e.cashmanRef ?? 'reference unknown';

/** English texts, one row per alert kind. */
const table: AlertTable = {
  quarantined: (e) => ({
    title: `${order(e)}: quarantined, no draft was made`,
    what: `Order ${order(e)} needs attention (quarantined): no draft was sent, because a correct invoice cannot be built from it as it is. ${e.reason}`,
    todo: `Fix the cause (config.yaml or the order in Shoprenter), then run \`retry ${order(e)}\`.`,
  }),
  uncertain: (e) =>
    e.partnerCode
      ? {
          title: `${order(e)}: no draft yet, partner code ${e.partnerCode} to check`,
          what: `No draft was sent for order ${order(e)}: Cashman says partner code ${e.partnerCode} is taken, after an earlier attempt to create the buyer's partner got no answer, and it cannot say whether that partner is this buyer or someone else. ${e.reason}`,
          todo: `Look up partner ${e.partnerCode} in Cashman: if it is this buyer, run \`retry ${order(e)} --partner-code-is-theirs\`; if it is someone else, run \`retry ${order(e)} --new-partner-code\`.`,
        }
      : {
          title: `${order(e)}: the draft may or may not exist in Cashman`,
          what: `Order ${order(e)} may or may not have a draft in Cashman: the answer to its draft request was lost or not understood, so it is never sent again by itself. ${e.reason}`,
          todo: `Check Cashman and run \`resolve ${order(e)} --done\` if the draft is there, or \`retry ${order(e)} --force\` if it is not.`,
        },
  'login-failed': (e) => ({
    title: 'a login was refused; no order is being sent',
    what: `A login was refused; no order is being sent until it works again (the orders wait, none is lost). ${e.reason}`,
    todo: 'Check the credentials in .env (CASHMAN_GROUP, CASHMAN_USER, CASHMAN_PASSWORD, or the Shoprenter API client), then restart.',
  }),
  'login-recovered': (e) => ({ title: 'the login works again', what: `Back to normal: ${e.reason}`, todo: null }),
  'shoprenter-failing': (e) => ({
    title: 'Shoprenter keeps failing; no new orders are read',
    what: `Shoprenter keeps failing, so no new orders are read; they are read as soon as it answers again. ${e.reason}`,
    todo: 'Check the API client in the shop admin and the network.',
  }),
  'shoprenter-recovered': (e) => ({ title: 'Shoprenter answers again', what: `Back to normal: ${e.reason}`, todo: null }),
  'cashman-failing': (e) => ({
    title: 'Cashman cannot be reached; no draft is being sent',
    what: `Cashman cannot be reached, so no draft is being sent; the orders wait and go out in order once it answers. ${e.reason}`,
    todo: 'Check CASHMAN_API_URL and the network.',
  }),
  'cashman-recovered': (e) => ({ title: 'Cashman answers again', what: `Back to normal: ${e.reason}`, todo: null }),
  'cancelled-after-draft': (e) => ({
    title: `${order(e)}: cancelled after its draft`,
    what: `Order ${order(e)} needs attention after its draft (Cashman draft ${ref(e)}): ${e.reason}`,
    todo: e.action ?? `Delete draft ${ref(e)} in Cashman (or issue a storno invoice if it is finalized), then run \`ack ${order(e)}\`.`,
  }),
  'changed-after-draft': (e) => ({
    title: `${order(e)}: changed after its draft`,
    what: `Order ${order(e)} needs attention after its draft (Cashman draft ${ref(e)}): ${e.reason}`,
    todo: e.action ?? `Delete draft ${ref(e)} in Cashman and run \`redraft ${order(e)} --old-draft-deleted\`, or run \`ack ${order(e)}\` if the change does not matter.`,
  }),
  'pilot-ready': (e) => ({
    title: 'pilot finished, waiting for approve',
    what: `The go-live pilot made its drafts; no further draft is sent until you approve. ${e.reason}`,
    todo: 'Check the pilot drafts in Cashman (`status` lists them), then run `approve`.',
  }),
  'writer-stopped': (e) => ({
    title: 'a process stopped: another one took over the ledger',
    what: `A run or once of this program stopped: it was paused or stalled past the lock's limit and another process took the ledger over. It wrote and sent nothing more; the new holder works the orders, none is lost. ${e.reason}`,
    todo: 'If only one daemon should run on this ledger, look for a second one (another container, a cron job running `once`).',
  }),
  'sync-failing': (e) => ({
    title: 'sync cycles are failing; no order is being drafted',
    what: `The sync cycles are failing for a reason of this program's own (the disk, the ledger file, or a bug), so no order is being drafted; the orders wait, none is lost. ${e.reason}`,
    todo: 'Check the free disk space and the ledger file, and the log; restart once it is fixed.',
  }),
  'sync-recovered': (e) => ({ title: 'sync cycles work again', what: `Back to normal: ${e.reason}`, todo: null }),
  'shoprenter-login-failed': (e) => ({
    title: 'Shoprenter refused the API client; no new orders are read',
    what: `Shoprenter refused the API client (revoked, or missing a scope), so no new orders are read; this does not heal by itself. ${e.reason}`,
    todo: 'Check the API client in the shop admin and SHOPRENTER_CLIENT_ID / SHOPRENTER_CLIENT_SECRET in .env.',
  }),
  'shoprenter-login-recovered': (e) => ({ title: 'Shoprenter accepts the API client again', what: `Back to normal: ${e.reason}`, todo: null }),
  'stock-held': (e) => ({
    title: 'a stock round was held and wrote nothing',
    what: `A stock round was held: it wrote nothing into the shop, because what it read or would write looks wrong. ${e.reason}`,
    todo: 'Check `stock preview`; if what it would write is right, run `stock approve` to let the round go once.',
  }),
  'stock-write-refused': (e) => ({
    title: 'stock is not written: the shop refuses product writes',
    what: `Shoprenter refused to let the API client write product stock, so the stock rounds write nothing and the shop's stock goes stale. ${e.reason}`,
    todo: 'Give the API client the product.product:write scope in the shop admin; the next stock round writes again by itself.',
  }),
  'test-alert': () => ({
    title: 'test alert',
    what: 'This is a test alert sent by `check --send-test-alert`: if you read it, this channel works.',
    todo: null,
  }),
  'daily-summary': (e) => summaryTextEn(e.summary),
};

const frame: AlertFrame = {
  todo: 'What to do',
  cashmanRef: 'Cashman draft',
  details: 'Details',
  bundleSubject: (count, orders) => `${count} alerts${orders.length ? `: ${listed(orders, 'and', 'more')}` : ''}`,
  bundleIntro: (count) => `${count} new alerts, oldest first.`,
  quarantineGroup: (orders, reason) => ({
    title: `${orders.length} orders quarantined for one reason, no draft was made`,
    what: `These ${orders.length} orders need attention (quarantined), all for the same reason: no draft was sent, because a correct invoice cannot be built from them as they are: ${orders.join(', ')}. ${reason}`,
    todo: 'Fix the cause (config.yaml or the orders in Shoprenter), then run once: `retry --quarantined` (it puts every quarantined order back in line and shows each one\'s reason first).',
  }),
  footer: (shop) => `Sent by shoprenter-cashman-sync for the shop "${shop}". Alerts and the morning summary: alerts in config.yaml.`,
};

/** "1, 2, 3, 4, 5 and 7 more". */
export function listed(items: readonly string[], and: string, more: string, shown = 5): string {
  if (items.length <= shown) return items.join(', ');
  return `${items.slice(0, shown).join(', ')} ${and} ${items.length - shown} ${more}`;
}

export const ENGLISH = { table, frame };
