import { ConfigError } from '../errors.js';

/** `path` and `query` on the API base; hrefs in answers are never followed (reference §1.1). */
export function apiUrl(base: URL, path: string, query: Record<string, string> = {}): URL {
  const url = new URL(base.toString());
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${path}`;
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  return url;
}

/** API ids are base64: keep `=` readable as in Shoprenter's own hrefs, escape the rest. */
export function encodeId(id: string): string {
  return encodeURIComponent(id).replace(/%3D/g, '=');
}

/** https only, except plain http to this machine (SPEC §3). The value is not echoed: it may hold credentials. */
export function checkUrl(value: string, name: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} is not a valid URL.`);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopback(url.hostname)) return url;
  throw new ConfigError(`${name} must start with https:// (plain http:// is only allowed for localhost).`);
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}
