import { ledgerOrders, openReports, type LedgerOrder } from './world-procs.js';
import { draftsOf, pick, type WorldState } from './world-state.js';

/** One command a person types, sometimes twice (one after the other, or at once from two shells). */
async function typed(state: WorldState, args: string[]): Promise<Array<{ code: number | null; text: string }>> {
  const how = state.rnd();
  const once = async () => {
    const result = await state.procs.run(`${args.join(' ')}@${state.step}`, args, 30_000);
    if (result.hung) state.violations.push(`step ${state.step}: "${args.join(' ')}" was still running after 30 s (killed)`);
    return { code: result.exit?.code ?? null, text: result.child.text() };
  };
  if (how < 0.15) return Promise.all([once(), once()]);
  if (how < 0.3) return [await once(), await once()];
  return [await once()];
}

/** What a careful person does with what `status` would show, judged by looking into Cashman. */
export async function operator(state: WorldState): Promise<void> {
  const { shop } = state;
  const orders = ledgerOrders(shop.dbPath);
  const reports = openReports(shop.dbPath);
  const choices: Array<() => Promise<void>> = [];
  const afterDraft: Array<() => Promise<void>> = [];
  for (const r of reports) {
    afterDraft.push(async () => void (await typed(state, ['ack', r.order_number])));
    if (r.condition === 'changed') afterDraft.push(() => redraft(state, r.order_number, r.event), () => redraft(state, r.order_number, r.event));
  }
  for (const o of orders.filter((row) => row.state === 'quarantined' || row.state === 'failed')) {
    choices.push(async () => void (await typed(state, ['retry', o.order_number])));
  }
  for (const o of orders.filter((row) => row.state === 'uncertain')) {
    // The person looks into Cashman: a draft there is resolved as done, none is sent again.
    const args = settleArgs(state, o);
    choices.push(async () => void (await typed(state, args)));
  }
  if (afterDraft.length > 0 && (choices.length === 0 || state.rnd() < 0.6)) {
    await pick(state, afterDraft)();
    return;
  }
  if (choices.length === 0) {
    await typed(state, ['status']);
    return;
  }
  await pick(state, choices)();
}

/**
 * `redraft`, after the person deleted the old draft in Cashman. The flag that states so is named by
 * the refusal when missing (issue 16 §3); the harness reads it from there, so it works before and
 * after that change. Each report allows one new draft, however often the command is typed.
 */
async function redraft(state: WorldState, orderNumber: string, event: number): Promise<void> {
  if ((state.redraftedEvent.get(orderNumber) ?? 0) < event) {
    state.redraftedEvent.set(orderNumber, event);
    state.redraftAllowance.set(orderNumber, (state.redraftAllowance.get(orderNumber) ?? 0) + 1);
  }
  const results = await typed(state, ['redraft', orderNumber]);
  const refusal = results.find((r) => r.code === 2 && /delet/i.test(r.text));
  const flag = refusal ? /(--[a-z][a-z-]*)/.exec(refusal.text)?.[1] : undefined;
  if (flag) await typed(state, ['redraft', orderNumber, flag]);
}

/** The person works through every uncertain order, judging each by what Cashman holds. */
export async function settleUncertain(state: WorldState): Promise<void> {
  for (const o of ledgerOrders(state.shop.dbPath).filter((row) => row.state === 'uncertain')) {
    const args = settleArgs(state, o);
    state.trail.push(`settle: ${args.join(' ')}`);
    await typed(state, args);
  }
}

/**
 * What the person types for an uncertain order, judged by what Cashman holds: a draft there is
 * resolved as done, none is sent again. An order held for its partner code (issue 16 §4) is judged
 * by the partner Cashman holds under the code its alert names: this buyer's, or someone else's.
 */
function settleArgs(state: WorldState, o: LedgerOrder): string[] {
  if (o.last_error_code === 'PARTNER_CODE_IN_DOUBT') {
    const code = /partner code (\S+) for the buyer/.exec(o.last_error ?? '')?.[1];
    const email = /for the buyer [^(]*\([^)]*?([^\s(),]+@[^\s(),]+)\)/.exec(o.last_error ?? '')?.[1];
    const holder = [...state.shop.local.cashman.partners.values()].find((p) => p.partnerCode === code);
    const theirs = holder !== undefined && email !== undefined && holder.fields['email'] === email;
    return ['retry', o.order_number, theirs ? '--partner-code-is-theirs' : '--new-partner-code'];
  }
  return draftsOf(state.shop, o.order_number) > 0 ? ['resolve', o.order_number, '--done'] : ['retry', o.order_number, '--force'];
}
