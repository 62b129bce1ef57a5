import { describe, expect, it } from '@jest/globals';
import { parseConfig } from '../src/config/load-config.js';

function problemOf(yaml: string): string {
  try {
    parseConfig(yaml);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the config parsed');
}

/** Issue 17: a typo names the key it most likely meant. */
describe('unknown keys suggest the nearest known key of their section', () => {
  it.each([
    ['sync:\n  intervalSecond: 30\n', 'unknown key "sync.intervalSecond"; did you mean "sync.intervalSeconds"?'],
    ['sync:\n  cancelStatus: []\n', 'unknown key "sync.cancelStatus"; did you mean "sync.cancelStatuses"?'],
    ['invoice:\n  duedays: 8\n', 'unknown key "invoice.duedays"; did you mean "invoice.dueDays"?'],
    ['vatExemption:\n  domestic: 40\n', 'unknown key "vatExemption"; did you mean "vatExemptions"?'],
  ])('%j', (yaml, expected) => {
    expect(problemOf(`version: 1\n${yaml}`)).toContain(expected);
  });

  it('a word far from every key gets the plain sentence', () => {
    expect(problemOf('version: 1\nsync:\n  colour: red\n')).toContain('unknown key "sync.colour"; check its spelling against config/config.example.yaml.');
  });
});
