import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from '../errors.js';
import { silentLogger } from '../log/logger.js';
import { createClients } from '../runtime.js';
import { shopNow } from '../domain/shop-clock.js';
import { FileConfig } from '../config/schema.js';
import { remoteEnv, type CommandContext } from './context.js';
import { FIZETESMOD_GUESS, surveyShop, type ShopSurvey } from './shop-survey.js';
import { cancelGuess } from '../domain/cancel-words.js';
import type { StatusName } from '../sync/statuses.js';

/**
 * `init-config`: a starting config.yaml from the live shop. Cashman ids cannot be read through
 * the API, so they are written as `~` with a TODO: the file fails `check` (naming key and line)
 * until a person fills them in, which is exactly the point.
 */
export async function initConfigCommand(ctx: CommandContext, force: boolean, toStdout = false): Promise<number> {
  const env = remoteEnv(ctx);
  if (!toStdout && existsSync(env.configPath) && !force) {
    throw new UsageError(`${env.configPath} already exists; run "init-config --force" to overwrite it.`);
  }
  // A config is not needed to read the shop; defaults are enough for the clients.
  const { shoprenter } = createClients(env, FileConfig.parse({ version: 1 }), silentLogger);
  const survey = await surveyShop(shoprenter);
  const text = renderConfig(survey, shopNow(new Date(), 'Europe/Budapest').slice(0, 10) + 'T00:00:00');
  if (toStdout) {
    // In Docker the config folder is mounted read-only: `init-config --stdout > config/config.yaml`.
    ctx.out(text);
    return 0;
  }
  mkdirSync(dirname(env.configPath), { recursive: true });
  writeFileSync(env.configPath, text, { mode: 0o644 });
  // The header says "Fill in every TODO" too: count only the places themselves.
  const todo = (text.match(/# TODO:/g) ?? []).length;
  const cancels = survey.statuses.filter((s) => cancelGuess(s.name) === 'sure').map((s) => `"${s.name}"`);
  ctx.out(`Wrote ${env.configPath}: ${survey.paymentModes.length} payment methods, ${survey.shippingModes.length} shipping methods, ${survey.taxRates.length} VAT rates, ${survey.statuses.length} statuses.`);
  ctx.out(`Fill in the ${todo} places marked TODO (Cashman ids: Információ / API információ), then run "check".`);
  ctx.out(cancels.length > 0 ? `cancelStatuses: ${cancels.join(', ')} (never drafted; check the list).` : 'cancelStatuses: none of the shop\'s statuses looks like a cancellation; add any that means cancelled.');
  return 0;
}

const q = (text: string): string => JSON.stringify(text);

/**
 * `cancelStatuses` from the shop's own status names (issue 17): a status whose name means
 * cancelled, refused or returned is listed by id with its name beside it; a name that only may
 * mean it gets a TODO, so a person decides rather than the guess.
 */
export function cancelStatusLines(statuses: readonly StatusName[]): string[] {
  const sure = statuses.filter((s) => cancelGuess(s.name) === 'sure');
  const maybe = statuses.filter((s) => cancelGuess(s.name) === 'maybe');
  const lines = ['  # Status ids or names that mean "cancelled": never drafted; a drafted order moving there is reported.'];
  if (sure.length === 0) {
    lines.push('  # None of the shop\'s status names looks like a cancellation; add any that means cancelled, refused or returned.');
    lines.push('  cancelStatuses: []');
  } else {
    lines.push('  # Filled from the shop\'s status names that mean cancelled, refused or returned; check them.');
    lines.push('  cancelStatuses:');
    for (const s of sure) lines.push(`    - ${q(s.id)}   # ${s.name}`);
  }
  for (const s of maybe) lines.push(`  # TODO: does status ${s.id} "${s.name}" mean the order is off? If so, add ${q(s.id)} to cancelStatuses; then delete this line.`);
  return lines;
}

export function renderConfig(survey: ShopSurvey, startFrom: string): string {
  const statusList = survey.statuses.map((s) => `${s.id} = ${s.name}`).join('; ');
  const rates = survey.taxRates.filter((rate) => rate !== '0');
  const lines = [
    '# yaml-language-server: $schema=./config.schema.json',
    '# Written by "shoprenter-cashman-sync init-config" from the live shop. Fill in every TODO,',
    '# then run "shoprenter-cashman-sync check". Every key is explained in config.example.yaml.',
    'version: 1',
    '',
    'sync:',
    '  intervalSeconds: 30',
    '  # Orders placed (created) before this shop-local moment are never drafted, even when they change later.',
    `  startFrom: ${q(startFrom)}`,
    '  # Status ids or names that trigger a draft; [] = every completed checkout not in cancelStatuses.',
    `  # This shop has: ${statusList || '(none listed)'}`,
    '  statuses: []',
    ...cancelStatusLines(survey.statuses),
    '  # A fresh ledger drafts this many orders, then waits for "approve" (check them in Cashman first).',
    '  pilotOrders: 3',
    '  overlapMinutes: 10',
    '  timezone: Europe/Budapest',
    '',
    'invoice:',
    '  operation: 4',
    '  dueDays: 8',
    '  # The issue date is the day the draft is made; the fulfilment date is the order\'s day ("order") or that day too ("draft").',
    '  fulfilmentDate: order',
    `  orderNumberText: ${q('Shoprenter rendelés: {orderNumber}')}`,
    '',
    'partners:',
    '  codePrefix: SR',
    '  codeDigits: 6',
    '',
    '# Shoprenter VAT rate -> Cashman afa_id (Cashman: Információ / API információ). 0% lines go under vatExemptions.',
    'vatRates:',
    ...rates.map((rate) => `  ${q(rate)}: ~   # TODO: Cashman afa_id of ${rate}%`),
    ...(rates.length === 0 ? ['  "27": ~   # TODO: Cashman afa_id of 27%'] : []),
    '',
    `# 0% is not one VAT case: each 0% line is invoiced with its exemption's Cashman afa_id (config.example.yaml explains the cases).${survey.taxRates.includes('0') ? '' : ' This shop has no 0% tax class today.'}`,
    'vatExemptions:',
    '  domestic: ~   # TODO: Cashman afa_id of the exemption domestic 0% sales are invoiced with (AAM, TAM, ...)',
    '  deposit: ~    # TODO: Cashman afa_id for deposit fees (betétdíj), outside the scope of VAT',
    '  intraEu: ~    # TODO: Cashman afa_id of KBAET (0% sales to a business in another EU member state)',
    '  export: ~     # TODO: Cashman afa_id of EAM (0% sales to buyers outside the EU)',
    '',
    '# Unit text -> Cashman mennyisegiegyseg_id. Order lines carry no unit: with fromProducts each product\'s unit',
    '# ("kg") is read from Shoprenter once (needs product.product:read); "default" serves products without one.',
    'units:',
    '  default: db',
    '  fromProducts: true',
    '  ids:',
    '    db: ~   # TODO: Cashman mennyisegiegyseg_id of "db"',
    '',
    '# Shoprenter payment code -> Cashman payment method text. Check each guess.',
    'paymentMethods:',
    ...survey.paymentModes.map((p) => {
      const guess = FIZETESMOD_GUESS[p.code.toUpperCase()];
      return guess ? `  ${p.code.toUpperCase()}: ${q(guess)}   # ${p.name}` : `  ${p.code.toUpperCase()}: ~   # TODO: Cashman payment method for "${p.name}"`;
    }),
    '',
    '# Shoprenter shipping method -> name of the shipping line on the invoice.',
    'shippingMethods:',
    `  default: ${q('Szállítási díj')}`,
    ...survey.shippingModes.map((s) => `  ${s.extension.toUpperCase()}: ${q(s.name)}`),
    '',
    'cashman:',
    '  timeoutSeconds: 30',
    '',
  ];
  return lines.join('\n');
}
