import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { createLogger } from '../src/log/logger.js';

function collect(format: 'json' | 'pretty') {
  let out = '';
  const stream = new Writable({ write(chunk: Buffer, _e, done) { out += chunk.toString('utf8'); done(); } });
  const logger = createLogger({ level: 'debug', format, stream });
  return { logger, out: () => out };
}

describe('review R2: logger', () => {
  it('pretty: a value with a newline cannot forge a second log line', () => {
    const { logger, out } = collect('pretty');
    // e.g. a product name / customer note taken from the shop, carried in a quarantine reason
    logger.warn('order quarantined', { orderNumber: '1002', reason: 'no VAT rate for "Mug\n2026-12-07T04:00:00.000Z info  order 1003: draft created in Cashman"' });
    const lines = out().split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
  });

  it('pretty: a message with a newline cannot forge a second log line', () => {
    const { logger, out } = collect('pretty');
    logger.error('cycle failed', { message: 'boom\n2026-12-07T04:00:00.000Z info  cycle finished' });
    expect(out().split('\n').filter((l) => l !== '')).toHaveLength(1);
  });

  it('a registered secret nested 8 levels deep is still redacted (json and pretty)', () => {
    for (const format of ['json', 'pretty'] as const) {
      const { logger, out } = collect(format);
      logger.addSecret('S3cretPassw0rd');
      logger.debug('request', { a: { b: { c: { d: { e: { f: { g: { h: 'body … S3cretPassw0rd …' } } } } } } } });
      expect(out()).not.toContain('S3cretPassw0rd');
    }
  });

  it('a secret-named field 8 levels deep is still redacted', () => {
    const { logger, out } = collect('json');
    logger.debug('request', { a: { b: { c: { d: { e: { f: { g: { password: 'unregistered-pw-123' } } } } } } } });
    expect(out()).not.toContain('unregistered-pw-123');
  });

  it('a secret-named field inside an object passed as meta.message is redacted', () => {
    const { logger, out } = collect('json');
    logger.info('x', { message: { token: 'runtime-access-token-xyz' } });
    expect(out()).not.toContain('runtime-access-token-xyz');
  });
});
