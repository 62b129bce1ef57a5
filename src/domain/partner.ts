/** What we send to Cashman about a buyer; also the snapshot stored to detect changes. */
export interface PartnerData {
  /** Trimmed, lower-cased: the identity key. */
  email: string;
  name: string;
  phone: string | null;
  postcode: string | null;
  city: string | null;
  street: string | null;
  country: string | null;
  countryCode: string | null;
  companyName: string | null;
  taxNumber: string | null;
  euVatNumber: string | null;
}

/** The fields whose change triggers a partner update (SPEC §1.2). */
export const PARTNER_COMPARED_FIELDS = [
  'name',
  'email',
  'phone',
  'postcode',
  'city',
  'street',
  'companyName',
  'taxNumber',
] as const satisfies readonly (keyof PartnerData)[];

/** Names of the compared fields that differ; empty = unchanged, no Cashman call. */
export function changedPartnerFields(previous: PartnerData, next: PartnerData): string[] {
  return PARTNER_COMPARED_FIELDS.filter((field) => (previous[field] ?? null) !== (next[field] ?? null));
}

/** "SR" + zero-padded sequence: SR000042. */
export function formatPartnerCode(prefix: string, digits: number, sequence: number): string {
  return prefix + String(sequence).padStart(digits, '0');
}
