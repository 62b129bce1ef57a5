import { spawnSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import { parseStockList } from '../src/cashman/stock-list.js';
import { sampleStockRows, stockListAnswer } from '../src/standins/cashman-standin-stock.js';
import { ODD_ANSWERS } from '../src/standins/cashman-standin-wire.js';

/**
 * Op 19's answer read with the project's own unserializer, proven against PHP's serialize(): PHP
 * writes the list (strings, ints, floats, nulls, keyed rows), parseStockList must read it, and the
 * stand-in's 10,000-row list must be what PHP's unserialize() reads.
 */

function php(code: string, input = ''): string {
  const result = spawnSync('php', ['-d', 'display_errors=stderr', '-r', code], { input, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw new Error('php is not installed: install php-cli (apt-get install -y --no-install-recommends php-cli).', { cause: result.error });
  if (result.status !== 0) throw new Error(`php exited ${String(result.status)}: ${result.stderr.toString()}`);
  return result.stdout.toString('utf8');
}

describe('op 19 stock list', () => {
  it("reads PHP's own serialize() output, whatever PHP type keszlet has", () => {
    const serialized = php(`echo serialize([
      ['megnevezes' => 'Alma (kg)', 'cikkszam' => 'ALMA-1', 'vonalkod' => '5990001', 'keszlet' => 12.5, 'mennyisegiegyseg' => 'kg', 'netto' => 300, 'brutto' => 381],
      ['megnevezes' => 'Körte "extra"', 'cikkszam' => 'KORTE', 'vonalkod' => '', 'keszlet' => 3, 'mennyisegiegyseg' => 'db', 'netto' => '100.00', 'brutto' => '127.00'],
      ['megnevezes' => 'Szilva', 'cikkszam' => 'SZ-2', 'vonalkod' => null, 'keszlet' => '-1.0000', 'mennyisegiegyseg' => 'db', 'netto' => 1, 'brutto' => 1],
    ]);`);
    expect(parseStockList(serialized)).toEqual({
      ok: true,
      rows: [
        { sku: 'ALMA-1', barcode: '5990001', stock: '12.5' },
        { sku: 'KORTE', barcode: '', stock: '3' },
        { sku: 'SZ-2', barcode: '', stock: '-1.0000' },
      ],
    });
  });

  it('reads a list PHP keyed by product id (not 0..n-1)', () => {
    const serialized = php(`echo serialize([17 => ['cikkszam' => 'A', 'vonalkod' => '', 'keszlet' => '2'], 40 => ['cikkszam' => 'B', 'vonalkod' => '1', 'keszlet' => '0']]);`);
    const parsed = parseStockList(serialized);
    expect(parsed.ok && parsed.rows.map((r) => r.sku)).toEqual(['A', 'B']);
  });

  it("the stand-in's 10,000-product answer is what PHP's unserialize() reads", () => {
    const rows = sampleStockRows(10_000);
    const answer = stockListAnswer(rows, { mennyiseg: '' });
    const fromPhp = JSON.parse(php(`$v = unserialize(stream_get_contents(STDIN), ['allowed_classes' => false]); echo json_encode(array_map(fn($r) => [$r['cikkszam'], $r['vonalkod'], $r['keszlet']], $v));`, answer)) as string[][];
    const ours = parseStockList(answer);
    expect(ours.ok).toBe(true);
    if (!ours.ok) return;
    expect(ours.rows.map((r) => [r.sku, r.barcode, r.stock])).toEqual(fromPhp);
    expect(fromPhp).toHaveLength(10_001);
    // The quirks the issue asks for are really there.
    expect(fromPhp.filter((r) => r[0] === 'P00002')).toHaveLength(2);
    expect(fromPhp.some((r) => r[1] === '')).toBe(true);
    expect(fromPhp.some((r) => r[2]?.includes('.'))).toBe(true);
  });

  it.each([
    ['an empty answer', ''],
    ['an empty list', 'a:0:{}'],
    ['a list cut short', stockListAnswer(sampleStockRows(20), {}).slice(0, 700)],
    ['an HTML page', ODD_ANSWERS['html-page']],
    ['a PHP warning before the list', `${ODD_ANSWERS['php-warning']}\n${stockListAnswer(sampleStockRows(3), {})}`],
    ['a PHP warning in HTML', ODD_ANSWERS['php-warning-html']],
    ['a string, not a list', 's:2:"ok";'],
    ['rows that are not products', 'a:1:{i:0;s:1:"x";}'],
    ['a row without keszlet', 'a:1:{i:0;a:2:{s:8:"cikkszam";s:1:"A";s:8:"vonalkod";s:0:"";}}'],
    ['plain text', ODD_ANSWERS['no-permission']],
  ])('refuses %s with a reason', (_name, text) => {
    const parsed = parseStockList(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem).toMatch(/^Cashman's/);
  });
});
