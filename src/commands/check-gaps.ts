import type { FileConfig } from '../config/schema.js';
import { cancelGuess, listsStatus, plainName } from '../domain/cancel-words.js';
import { VAT_CASES, type VatCase } from '../domain/vat-cases.js';
import { resolveStatusIds } from '../sync/statuses.js';
import type { ShopSurvey } from './shop-survey.js';

/**
 * What the live shop uses that config.yaml does not map (gaps: those orders would be quarantined)
 * and what looks wrong without being a gap (warnings), for `check`.
 */
export async function shopGaps(cfg: FileConfig, survey: ShopSurvey): Promise<{ gaps: string[]; warnings: string[]; problems: string[] }> {
  const gaps: string[] = [];
  // A status list naming what the shop does not have stops the daemon at start: a config problem, not a gap.
  const problems: string[] = [];
  for (const mode of survey.paymentModes) {
    if (!hasKey(cfg.paymentMethods, mode.code)) gaps.push(`payment method "${mode.code}" (${mode.name}) has no entry under paymentMethods`);
  }
  if (!hasKey(cfg.shippingMethods, 'default')) {
    for (const mode of survey.shippingModes) {
      if (!hasKey(cfg.shippingMethods, mode.extension)) gaps.push(`shipping method "${mode.extension}" (${mode.name}) has no entry under shippingMethods and there is no "default"`);
    }
  }
  for (const rate of survey.taxRates) {
    if (rate !== '0' && cfg.vatRates[rate] === undefined) gaps.push(`VAT rate ${rate}% has no entry under vatRates`);
  }
  const exemptions = exemptionGaps(cfg.vatExemptions, cfg.vatRates['0'], survey.taxRates.includes('0'));
  gaps.push(...exemptions.gaps);
  if (cfg.units.ids[cfg.units.default] === undefined) gaps.push(`the default unit "${cfg.units.default}" has no entry under units.ids`);
  for (const key of ['statuses', 'cancelStatuses'] as const) {
    try {
      await resolveStatusIds(cfg.sync[key], () => Promise.resolve(survey.statuses), `sync.${key}`);
      const unknown = cfg.sync[key].filter((s) => /^\d+$/.test(s) && !survey.statuses.some((k) => k.id === s));
      for (const id of unknown) problems.push(`sync.${key} in config.yaml lists status id ${id}, which the shop does not have.`);
    } catch (error) {
      problems.push(withNearestStatus(error instanceof Error ? error.message : String(error), cfg.sync[key], survey));
    }
  }
  return { gaps, warnings: [...exemptions.warnings, ...statusWarnings(cfg, survey)], problems };
}

/** "Torolve" for "Törölve": the shop's status whose name differs only in case and accents. */
function withNearestStatus(message: string, names: readonly string[], survey: ShopSurvey): string {
  for (const name of names) {
    const near = survey.statuses.find((s) => s.name !== name && plainName(s.name) === plainName(name));
    if (near) return `${message.replace(/\.$/, '')}; did you mean "${near.name}" (id ${near.id})?`;
  }
  return message;
}

/**
 * Issue 17: with `statuses: []` an order in a status named "Törölve" would be drafted unless
 * `cancelStatuses` lists it, so every status that looks like a cancellation and is in neither list
 * is named; one in both lists is named too (it counts as cancelled: never drafted).
 */
export function statusWarnings(cfg: FileConfig, survey: ShopSurvey): string[] {
  const warnings: string[] = [];
  for (const status of survey.statuses) {
    const inStatuses = listsStatus(cfg.sync.statuses, status);
    const inCancel = listsStatus(cfg.sync.cancelStatuses, status);
    if (inStatuses && inCancel) {
      warnings.push(`status ${status.id} "${status.name}" is in both sync.statuses and sync.cancelStatuses; it counts as cancelled (never drafted)`);
    } else if (!inStatuses && !inCancel && cancelGuess(status.name) === 'sure') {
      // Only names that surely mean it: a "maybe" (a failed payment) gets init-config's TODO once,
      // not a warning no config could silence under statuses: [].
      const drafted = cfg.sync.statuses.length === 0 ? 'with statuses: [] an order in it would be drafted' : 'a drafted order moving there would not be reported';
      warnings.push(`shop status ${status.id} "${status.name}" looks like a cancellation but is in neither sync.statuses nor sync.cancelStatuses (${drafted}); add "${status.id}" to sync.cancelStatuses`);
    }
  }
  return warnings;
}

const CASE_TEXT: Record<VatCase, string> = {
  domestic: 'domestic 0% lines, e.g. AAM or TAM',
  deposit: 'deposit fees (betétdíj)',
  intraEu: '0% lines sold to a business in another EU member state, KBAET',
  export: '0% lines sold outside the EU, EAM',
};

/**
 * The VAT cases (0 % lines, see docs/invoicing-rules.md) that config.yaml leaves unmapped. Domestic
 * and deposit lines come from the shop's own 0% tax class, so when it has one they are gaps
 * (vatRates."0" covers both). Whether EU business or non-EU buyers ever come cannot be read from
 * the shop: those are warnings.
 */
export function exemptionGaps(exemptions: Partial<Record<VatCase, number>>, zeroRate: number | undefined, shopHasZero: boolean): { gaps: string[]; warnings: string[] } {
  const missing = VAT_CASES.filter((c) => exemptions[c] === undefined && !((c === 'domestic' || c === 'deposit') && zeroRate !== undefined));
  const line = (c: VatCase) => `vatExemptions.${c} has no entry (${CASE_TEXT[c]}); such orders would be quarantined`;
  const local = (c: VatCase) => c === 'domestic' || c === 'deposit';
  return {
    gaps: missing.filter((c) => local(c) && shopHasZero).map(line),
    warnings: missing.filter((c) => !(local(c) && shopHasZero)).map(line),
  };
}

function hasKey(map: Record<string, string>, key: string): boolean {
  const wanted = key.trim().toUpperCase();
  return Object.keys(map).some((k) => k.trim().toUpperCase() === wanted);
}
