import { z } from 'zod';
import type { CashmanClient } from '../src/cashman/client.js';
import { loadRemoteEnv } from '../src/config/env.js';
import { parseConfig } from '../src/config/load-config.js';
import { buildDraft } from '../src/domain/build-draft.js';
import { buildPartner } from '../src/domain/build-partner.js';
import type { MappingConfig } from '../src/domain/mapping-config.js';
import { formatPartnerCode } from '../src/domain/partner.js';
import { addMinutes, shopToday } from '../src/domain/shop-clock.js';
import { silentLogger } from '../src/log/logger.js';
import { createClients } from '../src/runtime.js';
import type { ShoprenterClient } from '../src/shoprenter/client.js';
import { normalizeOrder } from '../src/shoprenter/normalize-order.js';
import { benchConfigYaml, TIMEZONE } from './shop-data.js';
import { SEND_NOW } from '../src/sync/ports.js';

const OrderHeader = z.looseObject({ id: z.string(), dateUpdated: z.string() });
const Part = z.record(z.string(), z.unknown());

export interface BaselineCycle {
  listed: number;
  drafted: number;
  quarantined: number;
  failed: number;
}

/**
 * The straightforward integration the daemon is compared with, as the simplest public ones are
 * written: list the changed orders, then fetch each order's products and totals with a request
 * of its own, and send the partner and the draft for every order. It reuses the daemon's
 * Shoprenter client (so the same rate limiter, retries and token handling), its domain mapping and
 * its Cashman client; it keeps its state in memory, which only flatters it.
 */
export class OneByOneSync {
  private readonly seen = new Set<string>();
  private readonly partners = new Map<string, { code: string; id: string }>();
  private sequence = 0;
  private cursor: string;

  constructor(
    private readonly shoprenter: ShoprenterClient,
    private readonly cashman: CashmanClient,
    private readonly mapping: MappingConfig,
    startFrom: string,
  ) {
    this.cursor = startFrom;
  }

  static create(env: Record<string, string>, startFrom: string): OneByOneSync {
    const config = parseConfig(benchConfigYaml(startFrom, 30, false), 'bench config');
    const { shoprenter, cashman } = createClients(loadRemoteEnv(env), config, silentLogger);
    return new OneByOneSync(shoprenter, cashman, { ...config, timezone: TIMEZONE }, startFrom);
  }

  async cycle(): Promise<BaselineCycle> {
    const result: BaselineCycle = { listed: 0, drafted: 0, quarantined: 0, failed: 0 };
    const query = { excludeAbandonedCart: '1', excludeStorno: '1', updatedAtMin: addMinutes(this.cursor, -10) };
    const headers = await this.shoprenter.listAll('orders', OrderHeader, query);
    result.listed = headers.length;
    for (const header of headers) {
      if (header.dateUpdated > this.cursor) this.cursor = header.dateUpdated;
      if (this.seen.has(header.id)) continue;
      this.seen.add(header.id);
      const orderProducts = await this.shoprenter.listAll('orderProducts', Part, { orderId: header.id });
      const orderTotals = await this.shoprenter.listAll('orderTotals', Part, { orderId: header.id });
      const outcome = await this.draft({ ...header, orderProducts, orderTotals, orderProductAddons: [] });
      result[outcome] += 1;
    }
    return result;
  }

  private async draft(raw: Record<string, unknown>): Promise<'drafted' | 'quarantined' | 'failed'> {
    const sourced = normalizeOrder(raw);
    if (!sourced.ok) return 'quarantined';
    const partner = buildPartner(sourced.order);
    if ('reason' in partner) return 'quarantined';
    const built = buildDraft(sourced.order, partner, this.mapping, shopToday(new Date(), this.mapping.timezone));
    if (!built.ok) return 'quarantined';
    const known = this.partners.get(partner.email);
    const code = known?.code ?? formatPartnerCode('SR', 6, ++this.sequence);
    try {
      const { partnerId } = await this.cashman.savePartner({
        partner,
        partnerCode: code,
        partnerId: known?.id ?? null,
        paymentMethod: built.draft.paymentMethod,
        dueDays: 8,
      }, SEND_NOW);
      this.partners.set(partner.email, { code, id: partnerId });
      await this.cashman.createDraft(built.draft, code, SEND_NOW);
      return 'drafted';
    } catch {
      return 'failed';
    }
  }
}
