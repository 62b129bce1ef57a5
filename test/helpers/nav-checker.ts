/**
 * An independent NAV checker: the checks of reference/nav-rules.md §10, written from that text,
 * run on a draft exactly as Cashman receives it (the decoded request rows: row 0 = header + line
 * 1, every further row one more line). It imports nothing from src/ on purpose: it must not share
 * a rounding helper or a VAT table with the code it judges. Amounts are exact decimals (bigint
 * scaled by 10^SCALE), never floats.
 */

export type Row = Readonly<Record<string, string>>;

/** What an afa_id stands for: a percentage row, or a 0 % VAT case (our config's case names). */
export type VatTreatment = { kind: 'rate'; percent: number } | { kind: 'exempt'; case: string } | { kind: 'conflict'; detail: string };
export type VatTable = ReadonlyMap<string, VatTreatment>;

export interface NavFailure {
  /** The §10 row and NAV id, e.g. "S2/NAV 890". */
  check: string;
  /** "line 2", "bucket 27%", "invoice", or a field name. */
  where: string;
  message: string;
}

/** The rates NAV accepts on a normal invoice (nav-rules §2 INVALID_VAT_DATA; 7/12 % are historic). */
const NAV_PERCENTS = new Set([5, 18, 27]);

/**
 * The mapping a config gives (vatRates: percent -> afa_id; vatExemptions: case -> afa_id). SPEC
 * §1.6: a `vatRates."0"` row is the domestic (and deposit) exemption row, never a 0 % rate.
 */
export function vatTableFrom(config: { vatRates?: Record<string, number>; vatExemptions?: Record<string, number> }): VatTable {
  const table = new Map<string, VatTreatment>();
  const put = (id: number, treatment: VatTreatment): void => {
    const key = String(id);
    const before = table.get(key);
    if (before && JSON.stringify(before) !== JSON.stringify(treatment)) {
      table.set(key, { kind: 'conflict', detail: `${describe(before)} and ${describe(treatment)}` });
    } else table.set(key, treatment);
  };
  for (const [percent, id] of Object.entries(config.vatRates ?? {})) {
    put(id, Number(percent) === 0 ? { kind: 'exempt', case: 'domestic' } : { kind: 'rate', percent: Number(percent) });
  }
  // A case naming the same id as vatRates."0" is the same row: only a clash with a percentage is a conflict.
  for (const [name, id] of Object.entries(config.vatExemptions ?? {})) {
    const before = table.get(String(id));
    if (before?.kind === 'exempt') table.set(String(id), { kind: 'exempt', case: before.case === 'domestic' ? name : before.case });
    else put(id, { kind: 'exempt', case: name });
  }
  return table;
}

function describe(t: VatTreatment): string {
  return t.kind === 'rate' ? `${t.percent}%` : t.kind === 'exempt' ? `case ${t.case}` : t.detail;
}

// ----- exact decimals -----

const SCALE = 10;
const ONE = 10n ** BigInt(SCALE);
const DECIMAL = /^-?\d+(\.\d+)?$/;

/** "12.5" -> 125000000000n (scaled by 10^10); null when not a plain decimal or too many decimals. */
export function parseDecimal(text: string | undefined): bigint | null {
  if (text === undefined || !DECIMAL.test(text)) return null;
  const negative = text.startsWith('-');
  const [whole = '0', frac = ''] = text.replace('-', '').split('.');
  if (frac.length > SCALE) return null;
  const value = BigInt(whole) * ONE + BigInt(frac.padEnd(SCALE, '0') || '0');
  return negative ? -value : value;
}

const abs = (x: bigint): bigint => (x < 0n ? -x : x);
const decimalsOf = (text: string): number => (text.includes('.') ? text.length - text.indexOf('.') - 1 : 0);
const digitsOf = (text: string): number => text.replace(/[-.]/g, '').replace(/^0+(?=\d)/, '').length;

/** Scaled value as text for messages: 125000000000n -> "12.5". */
export function show(x: bigint, scale = ONE): string {
  const negative = x < 0n;
  const a = abs(x);
  const decimals = scale.toString().length - 1;
  const frac = (a % scale).toString().padStart(decimals, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${a / scale}${frac ? '.' + frac : ''}`;
}

/**
 * NAV's deviation test: fails when |a − b| > max(1 % of |ref|, unit), all values at the same scale.
 * `unit` is 1 HUF, or 0.01 of a foreign currency (§10 definitions).
 */
function beyondTolerance(a: bigint, b: bigint, ref: bigint, unit: bigint): boolean {
  const diff = abs(a - b);
  return diff * 100n > abs(ref) && diff > unit;
}

// ----- texts (L8) -----

/** Header fields that are login or numbers, not texts reported to NAV. */
const NOT_TEXT = new Set(['Csoport', 'User', 'Password']);
/** Texts that must not be empty: the line name and the buyer name (NAV SimpleText512NotBlankType). */
const NAMES = new Set(['megnevezes', 'nev']);
const LIMITS: Record<string, number> = { megnevezes: 512, nev: 512 };
// eslint-disable-next-line no-control-regex -- these exact characters are what NAV's schema refuses
const FORBIDDEN = /[\u0000-\u0008\u000a-\u001f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** L8 on every text field of every row: no line break or control character (TAB allowed), names not blank, ≤ 512 characters. */
export function checkTexts(rows: readonly Row[]): NavFailure[] {
  const found: NavFailure[] = [];
  rows.forEach((row, index) => {
    for (const [field, value] of Object.entries(row)) {
      if (NOT_TEXT.has(field)) continue;
      const where = `row ${index + 1} ${field}`;
      if (FORBIDDEN.test(value)) found.push({ check: 'L8/SCHEMA', where, message: `contains a line break or control character: ${JSON.stringify(value)}` });
      if (LONE_SURROGATE.test(value)) found.push({ check: 'L8/SCHEMA', where, message: 'is not well-formed Unicode (a lone surrogate)' });
      if (NAMES.has(field) && value.trim() === '') found.push({ check: 'L8/SCHEMA', where, message: `is empty or only spaces: ${JSON.stringify(value)}` });
      const limit = LIMITS[field];
      if (limit !== undefined && [...value].length > limit) found.push({ check: 'L8/SCHEMA', where, message: `is ${[...value].length} characters long (at most ${limit})` });
    }
  });
  return found;
}

// ----- the draft -----

interface Line {
  index: number;
  quantity: bigint;
  unitPrice: bigint;
  net: bigint;
  vat: bigint;
  gross: bigint;
  /** The rounding step of the net unit price as written (2 decimals: 0.01). */
  unitStep: bigint;
  treatment: VatTreatment | undefined;
  afaId: string;
}

/** The minor unit of the draft's currency (HUF: 1 forint; others: 0.01), scaled. */
function minorUnit(row: Row): bigint {
  return row['deviza'] === 'HUF' || row['deviza'] === undefined ? ONE : ONE / 100n;
}

function readAmount(row: Row, field: string, where: string, maxDecimals: number, maxDigits: number, found: NavFailure[]): bigint {
  const text = row[field];
  const value = parseDecimal(text);
  if (text === undefined || value === null) {
    found.push({ check: 'L1/SCHEMA', where, message: `${field} is missing or not a plain decimal: ${JSON.stringify(text)}` });
    return 0n;
  }
  if (decimalsOf(text) > maxDecimals) found.push({ check: 'L1/SCHEMA', where, message: `${field} "${text}" has more than ${maxDecimals} decimals` });
  if (digitsOf(text) > maxDigits) found.push({ check: 'L1/SCHEMA', where, message: `${field} "${text}" has more than ${maxDigits} digits` });
  return value;
}

function readLine(row: Row, index: number, vat: VatTable, amountDecimals: number, found: NavFailure[]): Line {
  const where = `line ${index + 1}`;
  const afaId = row['afa_id'] ?? '';
  return {
    index,
    quantity: readAmount(row, 'mennyiseg', where, 10, 22, found),
    unitPrice: readAmount(row, 'netto_egysegar', where, 10, 22, found),
    unitStep: ONE / 10n ** BigInt(Math.min(decimalsOf(row['netto_egysegar'] ?? ''), SCALE)),
    net: readAmount(row, 'tetel_netto', where, amountDecimals, 18, found),
    vat: readAmount(row, 'tetel_afa', where, amountDecimals, 18, found),
    gross: readAmount(row, 'tetel_brutto', where, amountDecimals, 18, found),
    treatment: vat.get(afaId),
    afaId,
  };
}

/** r of a line, scaled: 27 % -> 0.27 × ONE; exempt -> 0. */
const rateOf = (t: VatTreatment | undefined): bigint => (t?.kind === 'rate' ? (BigInt(Math.round(t.percent * 10_000)) * ONE) / 1_000_000n : 0n);
const times = (a: bigint, b: bigint): bigint => (a * b) / ONE;

function lineChecks(line: Line, unit: bigint, found: NavFailure[]): void {
  const where = `line ${line.index + 1}`;
  const t = line.treatment;
  if (t === undefined) found.push({ check: 'L4/INVALID_VAT_DATA', where, message: `afa_id ${line.afaId} is neither a 5/18/27 % row nor a 0 % VAT case of the config` });
  else if (t.kind === 'conflict') found.push({ check: 'L4/INVALID_VAT_DATA', where, message: `afa_id ${line.afaId} is mapped twice: ${t.detail}` });
  else if (t.kind === 'rate' && !NAV_PERCENTS.has(t.percent)) found.push({ check: 'L4/INVALID_VAT_DATA', where, message: `rate ${t.percent}% is not one NAV accepts (5, 18, 27 %, or an exemption case)` });
  if (t?.kind === 'exempt' && line.vat !== 0n) found.push({ check: 'L5/NAV 591', where, message: `a 0 % (${t.case}) line carries VAT ${show(line.vat)}` });
  if (line.net + line.vat !== line.gross) found.push({ check: 'L2/NAV 754', where, message: `net ${show(line.net)} + VAT ${show(line.vat)} != gross ${show(line.gross)}` });
  const computed = times(line.quantity, line.unitPrice);
  if (beyondTolerance(computed, line.net, computed, unit)) {
    found.push({ check: 'L3/NAV 740', where, message: `net ${show(line.net)} vs quantity ${show(line.quantity)} × net unit price ${show(line.unitPrice)} = ${show(computed)}: beyond max(1 %, 1 unit)` });
  }
  // L3 [own] target: within half a unit plus quantity × the unit price's rounding step (a moved line's price follows its net).
  const own = unit / 2n + times(abs(line.quantity), line.unitStep);
  if (!beyondTolerance(computed, line.net, computed, unit) && abs(computed - line.net) > own) {
    found.push({ check: 'L3/own', where, message: `net ${show(line.net)} vs quantity × net unit price = ${show(computed)}: more than ${show(own)} apart` });
  }
  // L6 sanity bound: no line's VAT is more than one forint-move (1 + r) away from net × r (§7).
  const r = rateOf(t);
  if (t?.kind === 'rate' && abs(line.vat - times(line.net, r)) > times(unit, ONE + r)) {
    found.push({ check: 'L6/own', where, message: `VAT ${show(line.vat)} is not net ${show(line.net)} × ${t.percent}% (${show(times(line.net, r))}) within one unit` });
  }
  if (line.gross < 0n && (line.quantity <= 0n || line.unitPrice > 0n || line.net > 0n || line.vat > 0n)) {
    found.push({ check: 'L7/own', where, message: 'a negative line must have a positive quantity and a negative unit price, net and VAT' });
  }
  if (line.gross > 0n && (line.net < 0n || line.vat < 0n)) found.push({ check: 'L7/own', where, message: 'a positive line has a negative net or VAT' });
}

function bucketKey(t: VatTreatment | undefined, afaId: string): string {
  return t?.kind === 'rate' ? `${t.percent}%` : t?.kind === 'exempt' ? `case ${t.case}` : `afa_id ${afaId}`;
}

/** Every §10 check that fails on this draft (empty = NAV would take it without a warning). */
export function checkDraft(rows: readonly Row[], vat: VatTable): NavFailure[] {
  const found: NavFailure[] = checkTexts(rows);
  const head = rows[0];
  if (!head) return [{ check: 'L9/INVOICE_LINE_MISSING', where: 'invoice', message: 'the draft has no rows' }];
  const unit = minorUnit(head);
  const amountDecimals = unit === ONE ? 0 : 2;
  const lines = rows.map((row, index) => readLine(row, index, vat, amountDecimals, found));
  for (const line of lines) lineChecks(line, unit, found);

  const buckets = new Map<string, { net: bigint; vat: bigint; r: bigint; exempt: boolean }>();
  for (const line of lines) {
    const key = bucketKey(line.treatment, line.afaId);
    const b = buckets.get(key) ?? { net: 0n, vat: 0n, r: rateOf(line.treatment), exempt: line.treatment?.kind !== 'rate' };
    b.net += line.net;
    b.vat += line.vat;
    buckets.set(key, b);
  }
  for (const [key, b] of buckets) {
    if (b.net === 0n) continue; // 820 and 890 are skipped on a zero bucket (§4)
    const expected = times(b.net, b.r);
    if (b.exempt ? b.vat !== 0n : beyondTolerance(b.vat, expected, b.vat, unit)) {
      found.push({ check: 'S2/NAV 890', where: `bucket ${key}`, message: `VAT ${show(b.vat)} vs net ${show(b.net)} × rate = ${show(expected)}: beyond max(1 % of the VAT, 1 unit)` });
    }
  }

  const total = {
    net: readAmount(head, 'szamla_netto', 'invoice', amountDecimals, 18, found),
    vat: readAmount(head, 'szamla_afa', 'invoice', amountDecimals, 18, found),
    gross: readAmount(head, 'szamla_brutto', 'invoice', amountDecimals, 18, found),
  };
  const sum = (pick: (l: Line) => bigint): bigint => lines.reduce((s, l) => s + pick(l), 0n);
  const sums = { net: sum((l) => l.net), vat: sum((l) => l.vat), gross: sum((l) => l.gross) };
  const ids = { net: 'T1/NAV 840', vat: 'T1/NAV 850', gross: 'T1/NAV 880' } as const;
  for (const key of ['net', 'vat', 'gross'] as const) {
    // [own] exact: the header is the sum of the lines, so Cashman has nothing to re-round.
    if (sums[key] !== total[key]) found.push({ check: ids[key], where: 'invoice', message: `szamla_${key === 'net' ? 'netto' : key === 'vat' ? 'afa' : 'brutto'} ${show(total[key])} != Σ lines ${show(sums[key])}` });
  }
  if (total.net + total.vat !== total.gross) found.push({ check: 'T1/NAV 880', where: 'invoice', message: `net ${show(total.net)} + VAT ${show(total.vat)} != gross ${show(total.gross)}` });
  if (total.net < 0n) found.push({ check: 'T3/NAV 1090', where: 'invoice', message: `the net total ${show(total.net)} is negative` });
  // §5: an intra-Community supply (KBAET) needs the buyer's community VAT number.
  if (lines.some((l) => l.treatment?.kind === 'exempt' && l.treatment.case === 'intraEu') && !(head['kozossegi_adoszam'] ?? '').trim()) {
    found.push({ check: '§5/KBAET', where: 'invoice', message: 'an intra-EU (KBAET) line without the buyer\'s kozossegi_adoszam' });
  }
  return found;
}

/**
 * Lines whose VAT is exactly one unit away from the buyer kind's own rounding (private:
 * gross-first, a business: net-first, told apart by a tax number on the draft): the §7 moves.
 */
export function oneUnitMoves(rows: readonly Row[], vat: VatTable): number {
  const head = rows[0];
  if (!head) return 0;
  const unit = minorUnit(head);
  const business = Boolean((head['adoszam'] ?? '').trim() || (head['kozossegi_adoszam'] ?? '').trim());
  let moves = 0;
  for (const row of rows) {
    const t = vat.get(row['afa_id'] ?? '');
    const net = parseDecimal(row['tetel_netto']);
    const gross = parseDecimal(row['tetel_brutto']);
    const lineVat = parseDecimal(row['tetel_afa']);
    if (t?.kind !== 'rate' || net === null || gross === null || lineVat === null) continue;
    const r = rateOf(t);
    const exact = business ? times(net, r) : (gross * r) / (ONE + r);
    const rounded = roundHalfAway(exact, unit);
    if (abs(lineVat - rounded) === unit) moves += 1;
  }
  return moves;
}

function roundHalfAway(x: bigint, unit: bigint): bigint {
  const q = (abs(x) * 2n + unit) / (unit * 2n);
  return (x < 0n ? -q : q) * unit;
}
