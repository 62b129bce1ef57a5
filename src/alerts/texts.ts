import type { AlertEvent, AlertKind } from '../sync/alerts.js';
import { ENGLISH } from './texts-en.js';
import { HUNGARIAN } from './texts-hu.js';

/** alerts.language: the language of alert, e-mail and summary texts (logs stay English). */
export type AlertLanguage = 'hu' | 'en';

/** What the owner reads about one alert. */
export interface AlertText {
  /** Short, with the order number first when there is one: the e-mail subject after the tag. */
  title: string;
  /** What happened, in full sentences. */
  what: string;
  /** What to do, with the command to run; null when nothing is to be done. */
  todo: string | null;
}

/** One row per alert kind: adding a kind is one row here per language (the compiler asks for it). */
export type AlertTable = { readonly [K in AlertKind]: (event: AlertEvent) => AlertText };

/** Words around the texts (labels, the bundle's subject), per language. */
export interface AlertFrame {
  todo: string;
  cashmanRef: string;
  details: string;
  bundleSubject(count: number, orders: readonly string[]): string;
  bundleIntro(count: number): string;
  /** Several orders quarantined for one same reason (one config gap): one paragraph, one command. */
  quarantineGroup(orders: readonly string[], reason: string): AlertText;
  footer(shop: string): string;
}

export const PRODUCT_TAG = '[shoprenter-cashman-sync]';

const TABLES: Record<AlertLanguage, { table: AlertTable; frame: AlertFrame }> = { hu: HUNGARIAN, en: ENGLISH };

export function alertText(event: AlertEvent, language: AlertLanguage): AlertText {
  return TABLES[language].table[event.kind](event);
}

export function alertFrame(language: AlertLanguage): AlertFrame {
  return TABLES[language].frame;
}

/** One line for a chat webhook: the tag, the title, what happened and what to do. */
export function describeAlert(event: AlertEvent, language: AlertLanguage = 'en'): string {
  const text = alertText(event, language);
  return [`${PRODUCT_TAG} ${text.title}:`, text.what, text.todo].filter((part) => part).join(' ');
}
