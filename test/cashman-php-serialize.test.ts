import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { PhpUnserializeError, phpSerialize, phpSerializeRows, phpUnserialize } from '../src/cashman/php-serialize.js';

describe('phpSerializeRows', () => {
  it('counts UTF-8 bytes, not characters', () => {
    expect(phpSerializeRows([{ nev: 'Ő' }])).toBe('a:1:{i:0;a:1:{s:3:"nev";s:2:"Ő";}}');
    expect(phpSerializeRows([{ a: '🚚' }, { b: '' }])).toBe('a:2:{i:0;a:1:{s:1:"a";s:4:"🚚";}i:1;a:1:{s:1:"b";s:0:"";}}');
  });

  it('refuses a lone surrogate instead of silently changing the text', () => {
    expect(() => phpSerializeRows([{ a: '\uD800x' }])).toThrow(TypeError);
  });
});

describe('phpUnserialize', () => {
  it.each([
    ['N;', null],
    ['b:1;', true],
    ['i:-42;', -42],
    ['d:0.5;', 0.5],
    ['d:-INF;', -Infinity],
    ['s:4:"Őrs";', 'Őrs'],
    // A string that starts with U+FEFF (3 bytes) keeps it: found by the PHP contract's random rows.
    ['s:4:"\uFEFFx";', '\uFEFFx'],
    ['a:0:{}', []],
    ['a:2:{i:0;s:1:"x";i:1;N;}', ['x', null]],
    ['a:1:{s:1:"0";s:1:"x";}', ['x']],
    ['a:2:{i:1;s:1:"x";i:0;s:1:"y";}', { 1: 'x', 0: 'y' }],
  ])('decodes %s', (text, value) => {
    expect(phpUnserialize(text)).toEqual(value);
  });

  it.each([
    ['O:8:"stdClass":0:{}', 'object'],
    ['C:3:"Foo":0:{}', 'custom object'],
    ['r:1;', 'reference'],
    ['s:1:"Ő";', 'byte length cutting a character'],
    ['s:3:"ab";', 'length past the quote'],
    ['i:1;x', 'trailing garbage'],
    ['i:1', 'missing terminator'],
    ['i:9007199254740993;', 'unsafe integer'],
    ['b:2;', 'bad boolean'],
    ['a:2:{i:0;s:1:"x";}', 'short array'],
    ['a:2:{i:0;s:1:"x";i:0;s:1:"y";}', 'duplicate key'],
    ['a:1:{d:1.5;s:1:"x";}', 'double key'],
    ['', 'empty input'],
    ['a:1:{i:0;'.repeat(100) + 'N;' + '}'.repeat(100), 'nesting deeper than 64'],
  ])('rejects %s (%s)', (text) => {
    expect(() => phpUnserialize(text)).toThrow(PhpUnserializeError);
  });

  it('round-trips any rows of Unicode strings', () => {
    const rows = fc.array(fc.dictionary(fc.stringMatching(/^[a-z_]{1,10}$/), fc.string({ unit: 'binary' }), { minKeys: 1 }), { minLength: 1 });
    fc.assert(
      fc.property(rows, (value) => {
        expect(phpUnserialize(phpSerializeRows(value))).toEqual(value);
      }),
    );
  });

  it('returns records without a prototype, so "__proto__" is just a key', () => {
    const decoded = phpUnserialize(phpSerialize({ __proto__x: 'a' })) as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBeNull();
    const hostile = phpUnserialize('a:1:{s:9:"__proto__";s:1:"x";}') as Record<string, unknown>;
    expect(Object.keys(hostile)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});
