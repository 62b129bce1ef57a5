import type { DraftLine } from './draft.js';
import type { DraftMoney } from './draft-currency.js';
import { moneyText, rateText, refuse, reasons } from './draft-reasons.js';
import { formatAmount4, roundHalfUp, SCALE4, toMinor, type Amount4 } from './money.js';
import type { Order, OrderProduct } from './order.js';
import { upperTrimmed } from './words.js';

/**
 * Does the shop's own arithmetic agree with the rates the draft is built from (SPEC §1.3-1.4)?
 * The draft takes a line's gross and its stated `taxRate`; when the shop's net price, or its
 * SUB_TOTAL / TAX rows, say the rate is another one, the draft would be wrong however well it adds
 * up, so the order is quarantined with the numbers.
 */

const HUNDRED = 100n * SCALE4;

/**
 * Allowed gap between the shop's gross unit price and net × (1 + r): 0.5 Ft, because the shop
 * rounds the gross it shows to the forint, plus 0.0001 Ft, because Shoprenter stores the net with
 * 4 decimals (half a unit of the 4th decimal × 1.27 < 0.0001). A rate 1 point off moves a 100 Ft
 * gross by about 0.8 Ft, so any real contradiction above ~60 Ft net is caught.
 */
const UNIT_TOLERANCE4 = 5001n;

/** A product whose `price`, `grossPrice` and `taxRate` do not fit together is refused. */
export function checkLinePrices(order: Order, name: string, product: OrderProduct): void {
  const { netUnitPrice: net, grossUnitPrice: gross, taxRate: rate } = product;
  if (gross === null) return;
  const gap = gross * HUNDRED - net * (HUNDRED + rate);
  if ((gap < 0n ? -gap : gap) <= UNIT_TOLERANCE4 * HUNDRED) return;
  // The rate the two prices imply, to one decimal: (gross − net) / net in tenths of a percent.
  const implied = net === 0n ? null : rateText(roundHalfUp((gross - net) * 1000n, net) * 1000n);
  refuse(reasons.rateContradicts(order.orderNumber, name, `${formatAmount4(net)} Ft`, `${formatAmount4(gross)} Ft`, implied, rateText(rate)));
}

interface Basis {
  amount: bigint;
  lines: number;
  /** Σ quantity over the chosen lines, rounded up to whole units. */
  units: bigint;
}

/** The lines of one kind group (goods, discounts or fees), summed once for every basis built from it. */
interface Group {
  net: bigint;
  vat: bigint;
  lines: number;
  units: bigint;
}

type GroupName = 'goods' | 'discounts' | 'fees';

const GROUP_OF: Partial<Record<string, GroupName>> = {
  product: 'goods',
  addon: 'goods',
  discount: 'discounts',
  coupon: 'discounts',
  loyalty: 'discounts',
  shipping: 'fees',
  payment: 'fees',
};

function groups(lines: readonly DraftLine[]): Record<GroupName, Group> {
  const empty = (): Group => ({ net: 0n, vat: 0n, lines: 0, units: 0n });
  const found = { goods: empty(), discounts: empty(), fees: empty() };
  for (const l of lines) {
    const name = Object.hasOwn(GROUP_OF, l.kind) ? GROUP_OF[l.kind] : undefined;
    if (name === undefined) continue;
    const group = found[name];
    group.net += l.net;
    group.vat += l.vat;
    group.lines += 1;
    group.units += BigInt(Math.ceil(Math.abs(Number(l.quantity)) || 0));
  }
  return found;
}

function basis(chosen: Group[], pick: 'net' | 'vat'): Basis {
  return {
    amount: chosen.reduce((a, g) => a + g[pick], 0n),
    lines: chosen.reduce((a, g) => a + g.lines, 0),
    units: chosen.reduce((a, g) => a + g.units, 0n),
  };
}

/**
 * Within 1.5 Ft per line plus 0.5 Ft per unit sold, plus 0.5: each whole-forint line amount is
 * within 0.5 Ft of the shop's 4-decimal one, a line may carry one forint moved between net and VAT
 * (company pairing or NAV's check 890), and the shop's row may itself be rounded. The per-unit part
 * is the shop's own gross rounding: it rounds each unit's gross to the forint, so a private buyer's
 * line (built gross-first) drifts from Σ net × quantity by up to 0.5 / (1 + r) Ft per unit, and its
 * VAT by up to 0.5 × r / (1 + r) Ft (12 × 9.8425 Ft net at 27 %: the unit gross 12.4999 Ft is
 * shown as 12 Ft, so the line is 144 Ft gross and 113 Ft net against the shop's 118.11 Ft).
 * Doubled to stay in integers.
 */
function agrees(shop4: Amount4, b: Basis): boolean {
  const gap = 2n * (shop4 - b.amount * SCALE4);
  return (gap < 0n ? -gap : gap) <= (3n * BigInt(b.lines) + b.units + 1n) * SCALE4;
}

/**
 * SUB_TOTAL (net of the goods) and the TAX rows (their VAT) against the draft, for a HUF order
 * (a converted draft is in another currency than the rows). Shoprenter documents SUB_TOTAL as the
 * products' net and shows TAX without shipping's VAT; whether discounts or fees enter real shops'
 * rows is not documented, so each plausible basis is accepted and only a row that fits none is
 * taken for a contradiction.
 */
export function checkRestatingRows(order: Order, lines: readonly DraftLine[], money: DraftMoney): void {
  if (money.converted) return;
  // The SUB_TOTAL and TAX rows summed (null: none). A row keyed CART_AMOUNT_DISCOUNT is the cart
  // discount whatever its type (draft-fees.ts reads it so).
  let subtotal: Amount4 | null = null;
  let tax: Amount4 | null = null;
  for (const t of order.totals) {
    const type = upperTrimmed(t.type);
    if ((type !== 'SUB_TOTAL' && type !== 'TAX') || (t.key !== null && upperTrimmed(t.key) === 'CART_AMOUNT_DISCOUNT')) continue;
    if (type === 'SUB_TOTAL') subtotal = (subtotal ?? 0n) + t.value;
    else tax = (tax ?? 0n) + t.value;
  }
  if (subtotal === null && tax === null) return;
  const { goods, discounts, fees } = groups(lines);
  const shown = (a: Amount4) => moneyText(toMinor(a, 0), money.code, 0);
  // Each basis is summed only when the ones before it did not fit; the sentence names the goods alone.
  if (subtotal !== null) {
    const shop = subtotal;
    const fits = [[goods], [goods, discounts]].some((chosen) => agrees(shop, basis(chosen, 'net')));
    if (!fits) refuse(reasons.subtotalContradicts(order.orderNumber, shown(shop), moneyText(goods.net, money.code, 0)));
  }
  if (tax !== null) {
    const shop = tax;
    const fits = [[goods], [goods, discounts], [goods, fees], [goods, discounts, fees]].some((chosen) => agrees(shop, basis(chosen, 'vat')));
    if (!fits) refuse(reasons.taxContradicts(order.orderNumber, shown(shop), moneyText(goods.vat, money.code, 0)));
  }
}
