import { describe, expect, it } from '@jest/globals';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDraft } from '../src/domain/build-draft.js';
import { buildPartner } from '../src/domain/build-partner.js';
import { configFor, draftAsJson, loadGoldenCases, orderFromFixture } from './fixtures/golden/loader.js';

/**
 * The golden corpus: realistic orders with every line kind, each with the full draft expected
 * forint by forint (or the exact quarantine sentence). Expected values were worked out apart
 * from this code; test/fixtures/golden/README.md says how.
 */
const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'golden');
const cases = loadGoldenCases(dir);

describe('golden orders', () => {
  it('has a corpus of at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases.map((c) => [c.file, c] as const))('%s', (_file, golden) => {
    const order = orderFromFixture(golden.order);
    const partner = buildPartner(order);
    const result = 'reason' in partner ? { ok: false as const, reason: partner.reason } : buildDraft(order, partner, configFor(golden.config));
    if ('quarantine' in golden.expected) {
      expect(result).toEqual({ ok: false, reason: golden.expected.quarantine });
      return;
    }
    if (!result.ok) throw new Error(`expected a draft, got quarantine: ${result.reason}`);
    expect(draftAsJson(result.draft)).toEqual(golden.expected.draft);
  });
});
