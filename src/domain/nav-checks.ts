import type { DraftLine, InvoiceDraft } from './draft.js';
import { moneyText } from './draft-reasons.js';
import { parseAmount4, pow10, SCALE4 } from './money.js';
import { isNavText, lengthBeyond } from './nav-text.js';
import { unitPriceText } from './rounding.js';
import { HU_RATES } from './vat-cases.js';

/**
 * NAV's checks on an invoice (reference/nav-rules.md §10), run on every draft before it is sent.
 * NAV tolerates max(1 % of the checked value, 1 unit) everywhere (§0.2); in minor units of the
 * draft currency 1 unit is 1 Ft or 0.01 EUR, i.e. one minor unit. Pure: a failure is returned as
 * the check's NAV number and what a person needs to know, never thrown.
 */

const HUNDRED = 100n * SCALE4;

export interface NavFailure {
  /** NAV's warning id ("890") or the rule of nav-rules.md §10 ("L8"). */
  check: string;
  detail: string;
}

const abs = (x: bigint): bigint => (x < 0n ? -x : x);

/** |a − b| ≤ max(1 % of |ref|, 1 minor unit), all three scaled alike by `unit` (one minor unit). */
function within(a: bigint, b: bigint, ref: bigint, unit: bigint): boolean {
  const limit = abs(ref) > 100n * unit ? abs(ref) : 100n * unit;
  return 100n * abs(a - b) <= limit;
}

/** One bucket per VAT rate, and per Cashman VAT row at 0 % (each exemption case is its own "rate"). */
function bucketKey(line: DraftLine): string {
  return line.vatRate === '0' ? `0/${line.vatId}` : line.vatRate;
}

function rateOf(line: DraftLine): bigint {
  return parseAmount4(line.vatRate) ?? 0n;
}

interface Bucket {
  first: DraftLine;
  net: bigint;
  vat: bigint;
}

/** The buckets in the order their first line comes, each with its net and VAT summed. */
function buckets(lines: readonly DraftLine[]): Map<string, Bucket> {
  const found = new Map<string, Bucket>();
  for (const line of lines) {
    const key = bucketKey(line);
    const bucket = found.get(key);
    if (bucket === undefined) found.set(key, { first: line, net: line.net, vat: line.vat });
    else {
      bucket.net += line.net;
      bucket.vat += line.vat;
    }
  }
  return found;
}

/** V·100 % − N·r in minor units × HUNDRED: how far a bucket's (or line's) VAT is from its net × rate. */
function deviation(net: bigint, vat: bigint, rate: bigint): bigint {
  return vat * HUNDRED - net * rate;
}

/** NAV 890: |V − N·r| ≤ max(1 % of V, 1 unit); skipped when N = 0; exempt buckets need V = 0 exactly. */
function bucketPasses(net: bigint, vat: bigint, rate: bigint): boolean {
  if (rate === 0n) return vat === 0n;
  if (net === 0n) return true;
  return within(vat * HUNDRED, net * rate, vat * HUNDRED, HUNDRED);
}

/**
 * nav-rules.md §7: where a rate's VAT is further from its net × rate than NAV allows (four 45 Ft
 * lines at 27 %: 40 against 37.8), move one forint between net and VAT on the largest lines whose
 * own deviation points the same way, each line at most once and its gross unchanged, until the
 * bucket passes. Returns the lines (moved ones with their unit price recomputed) and the count.
 */
export function rebalance(lines: readonly DraftLine[], decimals: number): { lines: DraftLine[]; corrections: number } {
  const out = [...lines];
  let corrections = 0;
  // Moving a forint within one bucket leaves the others as they are, so when every bucket passes
  // as it stands (nearly every order), there is nothing to move.
  if ([...buckets(lines).values()].every(({ first, net, vat }) => bucketPasses(net, vat, rateOf(first)))) return { lines: out, corrections };
  for (const key of new Set(out.map(bucketKey))) {
    const members = out.map((line, index) => ({ line, index })).filter(({ line }) => bucketKey(line) === key);
    const rate = members[0] ? rateOf(members[0].line) : 0n;
    const total = () => members.reduce((a, m) => ({ net: a.net + m.line.net, vat: a.vat + m.line.vat }), { net: 0n, vat: 0n });
    if (rate === 0n || bucketPasses(total().net, total().vat, rate)) continue;
    const sign = deviation(total().net, total().vat, rate) > 0n ? 1n : -1n;
    const candidates = members
      .filter(({ line }) => line.gross !== 0n && deviation(line.net, line.vat, rate) * sign > 0n)
      .sort((a, b) => (abs(a.line.gross) === abs(b.line.gross) ? a.index - b.index : abs(a.line.gross) > abs(b.line.gross) ? -1 : 1));
    for (const candidate of candidates) {
      const { net, vat } = total();
      if (bucketPasses(net, vat, rate)) break;
      const line = candidate.line;
      const moved = { ...line, net: line.net + sign, vat: line.vat - sign };
      moved.netUnitPrice = unitPriceText(moved.net, parseAmount4(line.quantity) ?? SCALE4, decimals);
      candidate.line = moved;
      out[candidate.index] = moved;
      corrections += 1;
    }
  }
  return { lines: out, corrections };
}

/** The first of NAV's checks (§10) the draft fails, or null when it passes them all. */
export function navFailure(draft: InvoiceDraft): NavFailure | null {
  const unit = pow10(8 - draft.decimals);
  const money = (minor: bigint) => moneyText(minor, draft.currency, draft.decimals);
  if (draft.lines.length === 0) return { check: 'L9', detail: 'an invoice needs at least one line' };
  for (const line of draft.lines) {
    const failure = lineFailure(line, unit);
    if (failure) return failure;
  }
  for (const { first, net, vat } of buckets(draft.lines).values()) {
    if (!bucketPasses(net, vat, rateOf(first))) {
      return { check: '890', detail: `the ${first.vatRate}% lines carry ${money(vat)} of VAT on ${money(net)} net, not ${first.vatRate}% of it within NAV's rounding allowance` };
    }
  }
  let net = 0n;
  let vat = 0n;
  for (const line of draft.lines) {
    net += line.net;
    vat += line.vat;
  }
  if (draft.totals.net !== net) return { check: '840', detail: 'the invoice net is not the sum of its lines' };
  if (draft.totals.vat !== vat) return { check: '850', detail: 'the invoice VAT is not the sum of its lines' };
  if (draft.totals.gross !== draft.totals.net + draft.totals.vat) return { check: '880', detail: 'the invoice gross is not net + VAT' };
  if (draft.totals.net < 0n) return { check: '1090', detail: `the invoice net total is ${money(draft.totals.net)}, below zero; a negative invoice must be a credit note` };
  return textFailure(draft);
}

function lineFailure(line: DraftLine, unit: bigint): NavFailure | null {
  const name = `"${line.name.slice(0, 40)}"`;
  if (line.gross !== line.net + line.vat) return { check: '754', detail: `line ${name}: gross is not net + VAT` };
  const rate = rateOf(line);
  if (rate !== 0n && !HU_RATES.includes(rate)) return { check: 'INVALID_VAT_DATA', detail: `line ${name} is at ${line.vatRate}%` };
  if (rate === 0n && line.vat !== 0n) return { check: '591', detail: `the exempt line ${name} carries VAT` };
  const quantity = parseAmount4(line.quantity);
  const price = parseAmount4(line.netUnitPrice);
  if (quantity === null || price === null) return { check: 'L1', detail: `line ${name} has an unreadable quantity or unit price` };
  // 740: quantity × net unit price against the line net, both in minor units × 10^8 / unit.
  const computed = quantity * price;
  if (!within(computed, line.net * unit, computed, unit)) {
    return { check: '740', detail: `line ${name}: ${line.quantity} × ${line.netUnitPrice} is not its net of ${line.net}` };
  }
  if (!isNavText(line.name) || lengthBeyond(line.name, 512) > 512) return { check: 'L8', detail: `line ${name} has a name NAV cannot take` };
  return null;
}

/** NAV's schema lengths (reference/nav-rules.md §8) of the texts that have one besides the line name. */
const LIMITS: readonly [string, number, (draft: InvoiceDraft) => (string | null)[]][] = [
  ['buyer name', 512, (d) => [d.buyer.name, d.buyer.companyName]],
  ['product code (SKU)', 255, (d) => d.lines.map((l) => l.sku)],
  ['unit', 50, (d) => d.lines.map((l) => l.unitText)],
];

/** Every other text sent: within its length, no line break or control character (SCHEMA_VIOLATION at NAV). */
function textFailure(draft: InvoiceDraft): NavFailure | null {
  for (const [what, max, texts] of LIMITS) {
    const long = texts(draft).find((t): t is string => t !== null && lengthBeyond(t, max) > max);
    if (long !== undefined) return { check: 'L8', detail: `the ${what} "${long.slice(0, 40)}" is longer than the ${max} characters NAV takes` };
  }
  const bad = firstBadText(draft);
  return bad === undefined ? null : { check: 'L8', detail: `the text "${bad.slice(0, 40).replace(/\s+/g, ' ')}" has a line break or control character` };
}

const refused = (t: string | null): t is string => t !== null && t !== '' && !isNavText(t);

/** The first text NAV's schema refuses: the lines' (SKU, note, unit), the buyer's, the shipping block's, then the invoice's own. */
function firstBadText(draft: InvoiceDraft): string | undefined {
  for (const l of draft.lines) {
    if (refused(l.sku)) return l.sku;
    if (refused(l.note)) return l.note;
    if (refused(l.unitText)) return l.unitText;
  }
  const { buyer: b, shipping: s } = draft;
  const rest = [b.name, b.email, b.phone, b.postcode, b.city, b.street, b.country, b.companyName, b.taxNumber, b.euVatNumber];
  if (s !== null) rest.push(s.name, s.postcode, s.city, s.street, s.country);
  rest.push(draft.note, draft.orderNumberText, draft.paymentMethod);
  return rest.find(refused);
}
