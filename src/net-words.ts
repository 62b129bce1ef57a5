/** Node's network error codes in words, for sentences that name the host and the cause. */
const WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host name not found (DNS)',
  EAI_AGAIN: 'DNS lookup failed for now',
  ETIMEDOUT: 'no answer in time',
  ECONNRESET: 'connection dropped',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed while sending',
  ERR_TLS_CERT_ALTNAME_INVALID: 'certificate is for another host name',
  CERT_HAS_EXPIRED: 'certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in the chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate cannot be verified',
  ERR_ANSWER_TOO_LARGE: 'answer far larger than any real one',
  Z_DATA_ERROR: 'compressed answer unreadable',
  Z_BUF_ERROR: 'compressed answer cut short',
};

/** "connection refused by shop.api2.myshoprenter.hu (ECONNREFUSED)". */
export function networkProblem(code: string, host: string): string {
  const words = WORDS[code] ?? 'network error';
  return `${words}, ${host}, ${code}`;
}
