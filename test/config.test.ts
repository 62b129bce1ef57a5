import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { loadConfig, parseConfig } from '../src/config/load-config.js';
import { loadBaseEnv, loadRemoteEnv } from '../src/config/env.js';

describe('config.yaml', () => {
  it('keeps the shipped example valid', () => {
    const config = loadConfig({ path: 'config/config.example.yaml' });
    expect(config.version).toBe(1);
    expect(config.vatRates['27']).toBe(32);
    expect(config.sync.intervalSeconds).toBe(30);
    expect(config.shippingMethods.default).toBe('Szállítási díj');
  });

  it('fills defaults for a minimal file', () => {
    const config = parseConfig('version: 1\n');
    expect(config.sync).toEqual({ intervalSeconds: 30, statuses: [], cancelStatuses: [], pilotOrders: 3, overlapMinutes: 10, stornoCheckHours: 24, timezone: 'Europe/Budapest' });
    expect(config.invoice.operation).toBe(4);
    expect(config.invoice.dueDays).toBe(8);
    expect(config.partners).toEqual({ codePrefix: 'SR', codeDigits: 6 });
    expect(config.units.default).toBe('db');
  });

  it('normalises VAT keys and status ids', () => {
    const config = parseConfig('version: 1\nvatRates:\n  27.0: 32\n  "5": 34\nsync:\n  statuses: [5, Teljesítve]\n');
    expect(config.vatRates).toEqual({ '27': 32, '5': 34 });
    expect(config.sync.statuses).toEqual(['5', 'Teljesítve']);
  });

  it('reads vatExemptions, one Cashman afa_id per 0% VAT case (SPEC §1.6), empty by default', () => {
    expect(parseConfig('version: 1\n').vatExemptions).toEqual({});
    const config = parseConfig('version: 1\nvatExemptions:\n  domestic: 35\n  deposit: 36\n  intraEu: 37\n  export: 38\n');
    expect(config.vatExemptions).toEqual({ domestic: 35, deposit: 36, intraEu: 37, export: 38 });
  });

  it.each([
    ['version: 1\nvatExemptions:\n  eu: 37\n', 'config.yaml line 3: unknown key "vatExemptions.eu"'],
    ['version: 1\nvatExemptions:\n  intraEu: ~\n', 'config.yaml line 3: vatExemptions.intraEu'],
    ['version: 1\nsync:\n  intervall: 3\n', 'config.yaml line 3: unknown key "sync.intervall"'],
    ['version: 1\nvatRates:\n  "27": abc\n', 'config.yaml line 3: vatRates."27" must be a number (found "abc").'],
    ['version: 2\n', 'config.yaml line 1: version'],
    ['version: 1\nsync:\n  timezone: Mars/Base\n', 'config.yaml line 3: sync.timezone must be an IANA time zone'],
    ['version: 1\nvatRates:\n  x: 3\n', 'config.yaml line 3: vatRates.x'],
    ['version: 1\nsync:\n  startFrom: yesterday\n', 'sync.startFrom must look like'],
    ['sync: [\n', 'not valid YAML'],
    ['sync: {}\n', 'version must be 1'],
    ["version: 1\ncashman:\n  draftAnswerPattern: '^(\\d+'\n", 'config.yaml line 3: cashman.draftAnswerPattern is invalid (not a valid regular expression)'],
  ])('rejects %j naming the key and line', (text, expected) => {
    expect(() => parseConfig(text)).toThrow(expected);
  });

  it('names a missing file and how to create it', () => {
    expect(() => loadConfig({ path: '/nonexistent/config.yaml' })).toThrow('init-config');
  });
});

describe('environment', () => {
  const base = {
    SHOPRENTER_SHOP: 'myshop',
    SHOPRENTER_CLIENT_ID: 'id',
    SHOPRENTER_CLIENT_SECRET: 'secret',
    CASHMAN_GROUP: 'g',
    CASHMAN_USER: 'u',
    CASHMAN_PASSWORD: 'p',
  };

  it('derives the OAuth defaults from the shop name', () => {
    const env = loadRemoteEnv(base);
    expect(env.shoprenter.apiUrl).toBe('https://myshop.api2.myshoprenter.hu/api');
    expect(env.shoprenter.auth).toMatchObject({ kind: 'oauth', tokenUrl: 'https://oauth.app.shoprenter.net/myshop/app/token' });
    expect(env.cashman.apiUrl).toBe('https://www.cmfx.hu/fxapi/jxs.php');
    expect(env.databasePath).toBe('./data/sync.db');
  });

  it('falls back to legacy Basic auth without a client id', () => {
    const env = loadRemoteEnv({ ...base, SHOPRENTER_CLIENT_ID: '', SHOPRENTER_API_USER: 'api', SHOPRENTER_API_PASSWORD: 'pw' });
    expect(env.shoprenter.apiUrl).toBe('https://myshop.api.myshoprenter.hu');
    expect(env.shoprenter.auth.kind).toBe('basic');
  });

  it.each([
    [{ CASHMAN_PASSWORD: '' }, 'CASHMAN_PASSWORD is not set'],
    [{ SHOPRENTER_SHOP: 'my shop.hu' }, 'SHOPRENTER_SHOP must be the bare shop name'],
    [{ CASHMAN_API_URL: 'http://cashman.example.com/jxs.php' }, 'CASHMAN_API_URL must use https://'],
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL "verbose"'],
  ])('rejects %j', (patch, message) => {
    expect(() => loadRemoteEnv({ ...base, ...patch })).toThrow(message);
  });

  it('accepts plain http for loopback stand-ins', () => {
    expect(loadRemoteEnv({ ...base, CASHMAN_API_URL: 'http://127.0.0.1:8080/jxs.php' }).cashman.apiUrl).toBe('http://127.0.0.1:8080/jxs.php');
  });

  it('needs no credentials for the local commands', () => {
    expect(loadBaseEnv({}).configPath).toBe('./config/config.yaml');
  });

  it('keeps the example file in sync with the env list', () => {
    const example = readFileSync('.env.example', 'utf8');
    for (const name of ['SHOPRENTER_SHOP', 'SHOPRENTER_CLIENT_ID', 'SHOPRENTER_CLIENT_SECRET', 'SHOPRENTER_API_USER', 'SHOPRENTER_API_PASSWORD', 'SHOPRENTER_API_URL', 'SHOPRENTER_TOKEN_URL', 'CASHMAN_API_URL', 'CASHMAN_GROUP', 'CASHMAN_USER', 'CASHMAN_PASSWORD', 'CONFIG_PATH', 'DATABASE_PATH', 'LOG_LEVEL', 'LOG_FORMAT', 'ALERT_WEBHOOK_URL', 'SMTP_URL', 'ALERT_EMAIL_TO', 'ALERT_EMAIL_FROM']) {
      expect(example).toContain(`${name}=`);
    }
  });
});

describe('config/config.schema.json', () => {
  it('is generated from the zod schema and up to date (regenerate: npm run schema)', async () => {
    const { configJsonSchemaText } = await import('../src/config/json-schema.js');
    expect(readFileSync('config/config.schema.json', 'utf8')).toBe(configJsonSchemaText());
  });

  it('is referenced from the example file for editors', () => {
    expect(readFileSync('config/config.example.yaml', 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=./config.schema.json');
  });
});
