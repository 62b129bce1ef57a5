import type { AlertEvent, AlertKind } from './alert-event.js';

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
