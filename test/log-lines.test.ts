import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { createLogger } from '../src/log/logger.js';

function collect(format: 'json' | 'pretty', level: 'error' | 'warn' | 'info' | 'debug' = 'debug') {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter((line) => line !== ''));
      done();
    },
  });
  const logger = createLogger({ level, format, stream });
  const at = (line: string) => line.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/, 'TS');
  return { logger, lines: () => lines.map(at) };
}

describe('log lines', () => {
  it('json: one object per line, keys sorted, secrets and secret-named fields redacted, bigints as text', () => {
    const { logger, lines } = collect('json');
    logger.addSecret('hunter22');
    logger.info('draft created in Cashman', { orderNumber: '1001', zeta: 1, alpha: 'a hunter22 b', password: 'p', nested: { token: 't', n: [1n] }, gone: undefined });
    expect(lines()).toEqual([
      '{"alpha":"a [redacted] b","level":"info","message":"draft created in Cashman","nested":{"n":["1"],"token":"[redacted]"},"orderNumber":"1001","password":"[redacted]","timestamp":"TS","zeta":1}',
    ]);
  });

  it('pretty: time, level, order, message, then the other fields in the order given', () => {
    const { logger, lines } = collect('pretty');
    logger.warn('order quarantined', { orderNumber: '1002', reason: 'no VAT rate', list: { b: 1, a: [2] } });
    logger.info('plain');
    expect(lines()).toEqual(['TS warn  order 1002: order quarantined (reason=no VAT rate, list={"b":1,"a":[2]})', 'TS info  plain']);
  });

  it('drops lines below the level, and a field named message is added to the message', () => {
    const { logger, lines } = collect('pretty', 'warn');
    logger.debug('not shown');
    logger.info('not shown either');
    logger.error('cycle failed', { message: 'Cashman down' });
    expect(lines()).toEqual(['TS error cycle failed Cashman down']);
  });

  it('a value that contains itself is written, not thrown; a message with a % keeps its fields', () => {
    for (const format of ['json', 'pretty'] as const) {
      const { logger, lines } = collect(format);
      const loop: Record<string, unknown> = { a: 1 };
      loop['self'] = loop;
      logger.info('50%s done', { x: 1 });
      logger.info('loop', { loop });
      expect(lines()[0]).toContain(format === 'json' ? '"x":1' : '(x=1)');
      expect(lines()[1]).toContain('[Circular]');
    }
  });
});
