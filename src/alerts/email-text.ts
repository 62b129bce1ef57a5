import type { AlertEvent } from './alert-event.js';
import { alertFrame, alertText, PRODUCT_TAG, type AlertLanguage, type AlertText } from './texts.js';

/** One e-mail: subject, plain text and a simple HTML part saying the same. */
export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

/**
 * One alert makes an e-mail about it; several (a burst: 300 orders quarantined by one config gap
 * at go-live) make one e-mail listing them all, oldest first, the same quarantine reason once.
 */
export function composeEmail(events: readonly AlertEvent[], language: AlertLanguage, shop: string): EmailContent {
  const frame = alertFrame(language);
  const footer = frame.footer(shop);
  if (events.length === 1) {
    const event = events[0]!;
    const text = alertText(event, language);
    return {
      subject: `${PRODUCT_TAG} ${text.title}`,
      text: [plainBlock(text, event, language), `-- \n${footer}`].join('\n\n') + '\n',
      html: page(`${htmlBlock(text, event, language)}<hr><p style="color:#666">${escape(footer)}</p>`),
    };
  }
  const orders = [...new Set(events.flatMap((e) => (e.orderNumber ? [e.orderNumber] : [])))];
  const blocks = grouped(events, language);
  const plain = blocks.map(({ event, text }, i) => `${i + 1}. ${text.title}\n${indent(plainBlock(text, event, language))}`);
  const html = blocks.map(({ event, text }) => `<li><p><b>${escape(text.title)}</b></p>${htmlBlock(text, event, language)}</li>`);
  return {
    subject: `${PRODUCT_TAG} ${frame.bundleSubject(events.length, orders)}`,
    text: [frame.bundleIntro(events.length), ...plain, `-- \n${footer}`].join('\n\n') + '\n',
    html: page(`<p>${escape(frame.bundleIntro(events.length))}</p><ol>${html.join('')}</ol><hr><p style="color:#666">${escape(footer)}</p>`),
  };
}

/**
 * The blocks of a bundle, oldest first. Quarantines with the very same reason (300 orders stopped
 * by one config gap) become one block that lists the orders and says `retry --quarantined` once,
 * at the place of the first of them; every other alert keeps its own block.
 */
function grouped(events: readonly AlertEvent[], language: AlertLanguage): { event: AlertEvent; text: AlertText }[] {
  const sameReason = new Map<string, AlertEvent[]>();
  for (const e of events) if (e.kind === 'quarantined' && e.orderNumber) sameReason.set(e.reason, [...(sameReason.get(e.reason) ?? []), e]);
  const blocks: { event: AlertEvent; text: AlertText }[] = [];
  const done = new Set<string>();
  for (const e of events) {
    const group = e.kind === 'quarantined' && e.orderNumber ? sameReason.get(e.reason)! : [e];
    if (group.length < 2) {
      blocks.push({ event: e, text: alertText(e, language) });
      continue;
    }
    if (done.has(e.reason)) continue;
    done.add(e.reason);
    const numbers = [...new Set(group.map((g) => g.orderNumber!))];
    blocks.push({ event: e, text: alertFrame(language).quarantineGroup(numbers, e.reason) });
  }
  return blocks;
}

function plainBlock(text: AlertText, event: AlertEvent, language: AlertLanguage): string {
  const frame = alertFrame(language);
  const parts = [text.what];
  if (text.todo) parts.push(`${frame.todo}: ${text.todo}`);
  if (event.cashmanRef) parts.push(`${frame.cashmanRef}: ${event.cashmanRef}`);
  return parts.join('\n\n');
}

function htmlBlock(text: AlertText, event: AlertEvent, language: AlertLanguage): string {
  const frame = alertFrame(language);
  const parts = [`<p>${inline(text.what)}</p>`];
  if (text.todo) parts.push(`<p><b>${escape(frame.todo)}:</b> ${inline(text.todo)}</p>`);
  if (event.cashmanRef) parts.push(`<p>${escape(frame.cashmanRef)}: <b>${escape(event.cashmanRef)}</b></p>`);
  return parts.join('');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => (line ? `   ${line}` : line))
    .join('\n');
}

function page(body: string): string {
  return `<!doctype html><html><body style="font-family:sans-serif;line-height:1.4">${body}</body></html>`;
}

/** Escaped, with `commands` as <code> and line breaks kept. */
function inline(text: string): string {
  return escape(text)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\n/g, '<br>');
}

export function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
