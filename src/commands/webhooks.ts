import { UsageError, ConfigError } from '../errors.js';
import { ShoprenterWebhooksApi, type RegisteredWebhook } from '../shoprenter/webhooks-api.js';
import { remoteEnv, type CommandContext } from './context.js';

export const WEBHOOK_EVENTS = ['order_confirm', 'order_status_change'] as const;
const LABEL = 'shoprenter-cashman-sync';
const ROUTE = '/webhooks/shoprenter/';
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/**
 * `webhooks register <public-url> | list | remove [<id>]`: manages the shop's webhooks through
 * the API's webHooks resource (scope store.webhook:write). The webhook URL holds WEBHOOK_SECRET,
 * so it is never printed: the secret shows as <WEBHOOK_SECRET>.
 */
export async function webhooksCommand(ctx: CommandContext, positionals: string[]): Promise<number> {
  const [action, argument] = positionals;
  const env = remoteEnv(ctx);
  const api = new ShoprenterWebhooksApi({ apiUrl: env.shoprenter.apiUrl, auth: env.shoprenter.auth, shop: env.shoprenter.shop });
  const secret = env.webhookSecret;
  const show = (url: string) => maskUrl(url, secret);
  switch (action) {
    case 'list': {
      const hooks = await api.list();
      if (hooks.length === 0) ctx.out('No webhooks are registered in the shop.');
      for (const hook of hooks) ctx.out(describe(hook, show, secret));
      return 0;
    }
    case 'register': {
      if (!secret) throw new ConfigError('WEBHOOK_SECRET is not set; put at least 24 random characters in .env (e.g. "openssl rand -hex 16") before registering.');
      const target = `${publicBase(argument)}${ROUTE}${secret}`;
      if (env.http === null) {
        // Registered anyway (the daemon may get HTTP_PORT before it restarts), but said loudly: issue 17.
        ctx.out('warning: HTTP_PORT is empty, so the daemon does not listen for these webhooks and Shoprenter\'s calls will fail; set HTTP_PORT in .env and restart the daemon (polling still drafts every order).');
      }
      const existing = await api.list();
      for (const event of WEBHOOK_EVENTS) {
        const same = existing.find((hook) => hook.event === event && hook.urls.includes(target));
        if (same) {
          ctx.out(`${event}: already registered (id ${same.id}) -> ${show(target)}`);
          continue;
        }
        const id = await api.register(event, target, LABEL);
        ctx.out(`${event}: registered${id ? ` (id ${id})` : ''} -> ${show(target)}`);
      }
      return 0;
    }
    case 'remove': {
      const hooks = await api.list();
      if (!argument && !secret) throw new ConfigError('WEBHOOK_SECRET is not set, so this daemon\'s webhooks cannot be told apart; give the id to remove ("webhooks list" shows it).');
      // Without an id: only the webhooks that carry this daemon's secret (another install may share the shop).
      const chosen = argument ? hooks.filter((hook) => hook.id === argument) : hooks.filter((hook) => hook.urls.some((url) => url.endsWith(`${ROUTE}${secret}`)));
      if (argument && chosen.length === 0) throw new UsageError(`The shop has no webhook with id ${argument}; "webhooks list" shows the ids.`);
      if (chosen.length === 0) ctx.out('No webhooks of this daemon are registered; nothing removed.');
      for (const hook of chosen) {
        await api.remove(hook.id);
        ctx.out(`removed ${hook.event} (id ${hook.id}) -> ${hook.urls.map(show).join(', ')}`);
      }
      return 0;
    }
    default:
      throw new UsageError('Use "webhooks register <public-url>", "webhooks list" or "webhooks remove [<id>]".');
  }
}

/** The daemon's public base address: https (plain http only on loopback), no path of its own. */
function publicBase(value: string | undefined): string {
  if (!value) throw new UsageError('Give the public address of the daemon, e.g. "webhooks register https://sync.example.hu".');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`"${value}" is not a URL; give the public https:// address of the daemon.`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw new UsageError('The public address must use https://, or the secret in the webhook URL travels in clear text.');
  }
  if (url.search || url.hash || url.pathname.includes(ROUTE)) {
    throw new UsageError(`Give only the base address (e.g. https://sync.example.hu); the command adds ${ROUTE}<WEBHOOK_SECRET> itself.`);
  }
  return url.toString().replace(/\/+$/, '');
}

/** Hides whatever follows the webhook route; the current secret shows as <WEBHOOK_SECRET>. */
export function maskUrl(url: string, secret: string | null): string {
  const at = url.indexOf(ROUTE);
  if (at < 0) return url;
  const rest = url.slice(at + ROUTE.length);
  return `${url.slice(0, at + ROUTE.length)}${secret !== null && rest === secret ? '<WEBHOOK_SECRET>' : '<another secret>'}`;
}

function describe(hook: RegisteredWebhook, show: (url: string) => string, secret: string | null): string {
  const ours = secret !== null && hook.urls.some((url) => url.endsWith(`${ROUTE}${secret}`));
  const state = hook.status === '1' ? 'active' : 'inactive';
  return `${hook.id}  ${hook.event}  ${state}  ${hook.urls.map(show).join(', ') || '(no url)'}${ours ? '  (this daemon)' : ''}`;
}
