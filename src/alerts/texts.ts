import type { AlertEvent } from './alert-event.js';
import { ENGLISH } from './texts-en.js';
import { HUNGARIAN } from './texts-hu.js';
import type { AlertFrame, AlertTable, AlertText } from './text-shapes.js';

export type { AlertFrame, AlertTable, AlertText } from './text-shapes.js';

/** alerts.language: the language of alert, e-mail and summary texts (logs stay English). */
export type AlertLanguage = 'hu' | 'en';

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
