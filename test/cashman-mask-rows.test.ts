import { describe, expect, it } from '@jest/globals';
import { maskRows } from '../src/cashman/rows.js';
import { phpUnserialize } from '../src/cashman/php-serialize.js';
import type { RequestRow } from '../src/sync/ports.js';

/** maskRows copies by a key loop (cheaper than a spread); the copy must be what a spread made. */
describe('maskRows copies', () => {
  it('a null-prototype row from phpUnserialize into a plain object, keys in order, password masked', () => {
    const [row] = phpUnserialize('a:1:{i:0;a:4:{s:7:"Csoport";s:1:"g";s:8:"Password";s:6:"secret";s:1:"9";s:1:"n";s:3:"nev";s:1:"x";}}') as RequestRow[];
    const [masked] = maskRows([row as RequestRow]);
    expect(Object.getPrototypeOf(masked)).toBe(Object.prototype);
    expect(Object.keys(masked as RequestRow)).toEqual(['9', 'Csoport', 'Password', 'nev']);
    expect(masked).toEqual({ Csoport: 'g', Password: '********', 9: 'n', nev: 'x' });
    expect(row?.Password).toBe('secret');
  });

  it('a "__proto__" field as a field, not as the prototype', () => {
    const [row] = phpUnserialize('a:1:{i:0;a:2:{s:9:"__proto__";s:1:"p";s:8:"Password";s:1:"s";}}') as RequestRow[];
    const [masked] = maskRows([row as RequestRow]);
    expect(Object.getPrototypeOf(masked)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(masked, '__proto__')).toEqual({ value: 'p', enumerable: true, writable: true, configurable: true });
    expect(JSON.stringify(masked)).toBe('{"__proto__":"p","Password":"********"}');
  });

  it('a row without a password unmasked, as a new object', () => {
    const row = { megnevezes: 'a', mennyiseg: '1' };
    const [copy] = maskRows([row]);
    expect(copy).toEqual(row);
    expect(copy).not.toBe(row);
    expect(copy).not.toHaveProperty('Password');
  });
});
