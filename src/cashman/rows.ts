import type { DraftLine, InvoiceDraft } from '../domain/draft.js';
import { formatMinor } from '../domain/money.js';
import type { PartnerData } from '../domain/partner.js';
import { MappingError } from '../errors.js';
import type { PartnerRequest, RequestRow } from '../sync/ports.js';

/**
 * Pure translation of domain values into Cashman request rows (reference/cashman-fx-api.md §3,
 * §6, §7). Row 0 carries the login, `muveletkod`, the header and the first line; every further
 * row is one more line. Every value is text, as the vendor's own samples send it.
 */

/** The three values of the Cashman login (csoport, felhasználó, jelszó). */
export interface CashmanLogin {
  group: string;
  user: string;
  password: string;
}

export const PARTNER_OPERATION = 9;
export const DEFAULT_DRAFT_OPERATION = 4;
export const PASSWORD_MASK = '********';

export function loginFields(login: CashmanLogin, operation: number): RequestRow {
  return { Csoport: login.group, User: login.user, Password: login.password, muveletkod: String(operation) };
}

/**
 * SPEC §1.2: a business buyer (any tax number) is its company when it gave one (`companyName` is set
 * only then), a sole trader who left it empty is the person, and so is a private buyer.
 */
function partnerName(partner: PartnerData): string {
  return partner.companyName ?? partner.name;
}

function buyerFields(partner: PartnerData): RequestRow {
  return {
    nev: partnerName(partner),
    iranyitoszam: partner.postcode ?? '',
    varos: partner.city ?? '',
    utca: partner.street ?? '',
    orszag: partner.country ?? '',
    adoszam: partner.taxNumber ?? '',
    kozossegi_adoszam: partner.euVatNumber ?? '',
  };
}

/** Op 9 (partnerrogzites): an empty `partner_id` creates, a known one updates (reference §7). */
export function partnerRows(request: PartnerRequest, login: CashmanLogin): RequestRow[] {
  const { partner } = request;
  const row: RequestRow = {
    ...loginFields(login, PARTNER_OPERATION),
    partner_id: request.partnerId ?? '',
    partner_kod: request.partnerCode,
    ...buyerFields(partner),
    mobil: partner.phone ?? '',
    email: partner.email,
  };
  // An omitted fizetesmod keeps Cashman's default; an empty one might overwrite a hand-set value.
  if (request.paymentMethod !== null) row.fizetesmod = request.paymentMethod;
  row.fizetesi_hatarido_nap = String(request.dueDays);
  return [row];
}

function lineFields(line: DraftLine, decimals: number): RequestRow {
  const row: RequestRow = { megnevezes: line.name };
  if (line.sku !== null) row.cikkszam = line.sku;
  row.mennyiseg = line.quantity;
  row.netto_egysegar = line.netUnitPrice;
  row.afa_id = String(line.vatId);
  row.mennyisegiegyseg_id = String(line.unitId);
  if (line.note !== null) row.tetel_megjegyzes = line.note;
  // The "4.7" totals: once szamla_netto is sent they are mandatory on every line (reference §6.4).
  row.tetel_netto = formatMinor(line.net, decimals);
  row.tetel_afa = formatMinor(line.vat, decimals);
  row.tetel_brutto = formatMinor(line.gross, decimals);
  return row;
}

/**
 * The draft request (op 4 by default). Never sets `email_cim`: Cashman would e-mail the invoice
 * to the buyer (reference §6.2, SPEC §1.3).
 */
export function draftRows(
  draft: InvoiceDraft,
  partnerCode: string,
  login: CashmanLogin,
  operation: number = DEFAULT_DRAFT_OPERATION,
): RequestRow[] {
  const [first, ...rest] = draft.lines;
  if (!first) throw new MappingError(`Order ${draft.orderNumber} has no invoice lines to send.`);
  const header: RequestRow = {
    ...loginFields(login, operation),
    partner_kod: partnerCode,
    ...buyerFields(draft.buyer),
  };
  if (draft.shipping) {
    // Setting szallitasicim_nev makes the other four mandatory (reference §6.1): always send all five.
    header.szallitasicim_nev = draft.shipping.name;
    header.szallitasicim_iranyitoszam = draft.shipping.postcode;
    header.szallitasicim_varos = draft.shipping.city;
    header.szallitasicim_utca = draft.shipping.street;
    header.szallitasicim_orszag = draft.shipping.country;
  }
  header.kelt = draft.issueDate;
  header.teljesites = draft.fulfilmentDate;
  header.fizetesi_hatarido = draft.dueDate;
  header.fizetesmod = draft.paymentMethod;
  header.deviza = draft.currency;
  header.egyeb = draft.orderNumberText;
  // An omitted megjegyzes means "Cashman's default note" (reference §6.2); an empty one would blank it.
  if (draft.note !== null) header.megjegyzes = draft.note;
  header.szamla_netto = formatMinor(draft.totals.net, draft.decimals);
  header.szamla_afa = formatMinor(draft.totals.vat, draft.decimals);
  header.szamla_brutto = formatMinor(draft.totals.gross, draft.decimals);
  return [{ ...header, ...lineFields(first, draft.decimals) }, ...rest.map((line) => lineFields(line, draft.decimals))];
}

/** A copy with the password replaced, for the audit trail, previews and anything printed. */
export function maskRows(rows: readonly RequestRow[]): RequestRow[] {
  return rows.map(maskedCopy);
}

// A key loop rather than `{ ...row }`: spreading a null-prototype row (what phpUnserialize gives
// the Cashman stand-in) costs about four times as much. Same copy: own keys in order, a plain object.
function maskedCopy(row: RequestRow): RequestRow {
  const copy: RequestRow = {};
  for (const key of Object.keys(row)) {
    // Assigning "__proto__" would set the prototype instead of copying the field.
    if (key === '__proto__') Object.defineProperty(copy, key, { value: row[key], enumerable: true, writable: true, configurable: true });
    else copy[key] = row[key] as string;
  }
  if ('Password' in row) copy.Password = PASSWORD_MASK;
  return copy;
}

export const LOGIN_CHECK_OPERATION = 19;

/**
 * Op 19 (keszlet_lista) only reads: there is no documented no-op, so the login check asks for the
 * stock list filtered to "stock below zero" (`mennyiseg` 1, reference §8), which is normally empty.
 */
export function loginCheckRows(login: CashmanLogin): RequestRow[] {
  return [{ ...loginFields(login, LOGIN_CHECK_OPERATION), ar: '1', mennyiseg: '1' }];
}
