import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { CashmanClient } from '../src/cashman/client.js';
import { phpSerialize, phpSerializeRows, phpUnserialize } from '../src/cashman/php-serialize.js';
import { draftRows, partnerRows } from '../src/cashman/rows.js';
import { closedPortUrl } from '../src/standins/cashman-standin.js';
import type { RequestRow } from '../src/sync/ports.js';
import { LOGIN, companyBuyer, partnerRequest, sampleDraft, trickyDraft } from './cashman-fixtures.js';
import { SEND_NOW } from '../src/sync/ports.js';

/**
 * The wire contract, proven against PHP itself: the Cashman server is PHP and reads our body
 * with unserialize(). A wrong UTF-8 byte length makes PHP reject the whole request, so this runs
 * PHP's own unserialize() on the exact bodies rows.ts + php-serialize.ts produce.
 */

const INSTALL_HINT =
  'php is not installed: this contract test needs PHP\'s own unserialize(). Install php-cli ' +
  '(apt-get update && apt-get install -y --no-install-recommends php-cli; CI runs .ci/test-tools.sh).';

/** Runs `php -r code` with `input` on stdin; fails the test (never skips) when php is missing. */
function php(code: string, input: string): Buffer {
  const result = spawnSync('php', ['-d', 'display_errors=stderr', '-r', code], { input, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw new Error(INSTALL_HINT, { cause: result.error });
  if (result.status !== 0) throw new Error(`php exited ${String(result.status)}: ${result.stderr.toString()}`);
  return result.stdout;
}

// Decodes with PHP, then prints both PHP's JSON view and PHP's re-serialization of the value.
const DECODE = `
$in = stream_get_contents(STDIN);
$v = unserialize($in, ['allowed_classes' => false]);
if ($v === false) { fwrite(STDERR, "unserialize() refused the payload"); exit(3); }
echo json_encode(['json' => $v, 'again' => serialize($v)], JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR);
`;
const ENCODE = `echo serialize(json_decode(stream_get_contents(STDIN), true, 512, JSON_THROW_ON_ERROR));`;

function phpDecode(payload: string): { json: unknown; again: string } {
  return JSON.parse(php(DECODE, payload).toString('utf8')) as { json: unknown; again: string };
}

const bodies: Array<[string, RequestRow[]]> = [
  ['partner create', partnerRows(partnerRequest({ partner: companyBuyer }), LOGIN)],
  ['partner update', partnerRows(partnerRequest({ partnerId: '1001' }), LOGIN)],
  ['draft with shipping', draftRows(sampleDraft({ note: 'Őszi akció; "kupon" {10%}\nköszönjük 😊' }), 'SR000042', LOGIN)],
  ['company draft with tricky text', draftRows(trickyDraft(), 'SR000043', LOGIN)],
];

describe('PHP contract', () => {
  it('php-cli is installed', () => {
    expect(php('echo PHP_VERSION;', '').toString()).toMatch(/^\d+\.\d+/);
  });

  it.each(bodies)('PHP unserialize() reads the %s body field by field', (_name, rows) => {
    const payload = phpSerializeRows(rows);
    const decoded = phpDecode(payload);
    expect(decoded.json).toEqual(rows);
    rows.forEach((row, index) => {
      const phpRow = (decoded.json as Record<string, string>[])[index] ?? {};
      for (const [key, value] of Object.entries(row)) expect([key, phpRow[key]]).toEqual([key, value]);
    });
    // PHP's own serialize() of what it read is byte-identical to what we sent.
    expect(decoded.again).toBe(payload);
  });

  it.each(bodies)('phpUnserialize reads PHP serialize() of the %s body', (_name, rows) => {
    const fromPhp = php(ENCODE, JSON.stringify(rows));
    expect(phpUnserialize(fromPhp)).toEqual(rows);
    expect(fromPhp.toString('utf8')).toBe(phpSerializeRows(rows));
  });

  it('phpUnserialize reads every scalar type PHP serializes', () => {
    const fromPhp = php(
      `echo serialize([1, -2, 1.5, 0.1, -0.25, 1.0E+25, true, false, null, "Ő\\"ű;}", ["k" => "v", 5 => "x"], [], [[]]]);`,
      '',
    );
    expect(phpUnserialize(fromPhp)).toEqual([1, -2, 1.5, 0.1, -0.25, 1e25, true, false, null, 'Ő"ű;}', { k: 'v', 5: 'x' }, [], [[]]]);
  });

  it('PHP reads what phpSerialize writes for the other types', () => {
    const value = [7, -3, 0.1, 2.5e-7, 1e25, true, false, null, { a: [1, 'ű'] }];
    // PHP re-serializes doubles in its own notation (1.0E+25), so compare the values it read.
    expect(phpDecode(phpSerialize(value)).json).toEqual(value);
  });

  it('PHP agrees on random Unicode rows (one PHP run per 100 samples)', () => {
    php('echo 1;', ''); // fail fast instead of shrinking when php is missing
    const row = fc.dictionary(fc.stringMatching(/^[a-z_]{1,12}$/), fc.string({ unit: 'binary', maxLength: 40 }), { minKeys: 1, maxKeys: 6 });
    const rowLists = fc.array(fc.array(row, { minLength: 1, maxLength: 3 }), { minLength: 100, maxLength: 100 });
    fc.assert(
      fc.property(rowLists, (samples) => {
        const payload = phpSerialize(samples);
        const decoded = phpDecode(payload);
        expect(decoded.again).toBe(payload);
        expect(phpUnserialize(decoded.again)).toEqual(samples);
      }),
      { numRuns: 3 },
    );
  });
});

// A PHP endpoint reading $_POST['post'] exactly as the vendor's jxs.php must: proves the multipart
// framing too, not only the serialization (FormData encoders would rewrite "\n" to "\r\n").
const ENDPOINT = `<?php
$post = $_POST['post'] ?? null;
if (!is_string($post)) { echo 'HIBA: no post field'; return; }
$rows = unserialize($post, ['allowed_classes' => false]);
if ($rows === false) { echo 'HIBA: unserialize failed'; return; }
file_put_contents(__DIR__ . '/received.json', json_encode($rows, JSON_UNESCAPED_UNICODE));
echo "4242|1";
`;

async function waitForPort(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => resolve(true)).on('error', () => resolve(false));
      socket.unref();
      setTimeout(() => socket.destroy(), 100).unref();
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`php -S did not start on port ${port}`);
}

describe('PHP endpoint over HTTP', () => {
  it('reads the client\'s real multipart requests from $_POST', async () => {
    php('echo 1;', '');
    const dir = await mkdtemp(join(tmpdir(), 'cashman-php-'));
    await writeFile(join(dir, 'jxs.php'), ENDPOINT);
    const port = Number(new URL(await closedPortUrl()).port);
    const server = spawn('php', ['-S', `127.0.0.1:${port}`, '-t', dir], { stdio: 'ignore' });
    try {
      await waitForPort(port);
      const client = new CashmanClient({ apiUrl: `http://127.0.0.1:${port}/jxs.php`, ...LOGIN });
      const received = async (): Promise<unknown> => JSON.parse(await readFile(join(dir, 'received.json'), 'utf8'));

      await expect(client.createDraft(trickyDraft(), 'SR000043', SEND_NOW)).resolves.toEqual({ reference: '4242|1' });
      expect(await received()).toEqual(draftRows(trickyDraft(), 'SR000043', LOGIN));

      await expect(client.savePartner(partnerRequest({ partner: companyBuyer }), SEND_NOW)).resolves.toEqual({ partnerId: '4242' });
      expect(await received()).toEqual(partnerRows(partnerRequest({ partner: companyBuyer }), LOGIN));
    } finally {
      server.kill();
      if (server.exitCode === null && server.signalCode === null) await once(server, 'exit');
      await rm(dir, { recursive: true, force: true });
    }
  });
});
