import { once } from 'node:events';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CashmanClient, type CashmanClientOptions, type CashmanRequestInfo } from '../src/cashman/client.js';
import { CashmanError, ConfigError } from '../src/errors.js';
import { ODD_ANSWERS, closedPortUrl, productGroupHiba, startCashmanStandin, type CashmanStandin, type OddAnswer } from '../src/standins/cashman-standin.js';
import { LOGIN, SELF_SIGNED_LOCALHOST, companyBuyer, line, partnerRequest, sampleDraft, trickyDraft } from './cashman-fixtures.js';
import { SEND_NOW } from '../src/sync/ports.js';


let standin: CashmanStandin;
const requests: CashmanRequestInfo[] = [];
const errors: unknown[] = [];

function client(options: Partial<CashmanClientOptions> = {}): CashmanClient {
  return new CashmanClient({
    apiUrl: standin.url,
    group: LOGIN.group,
    user: LOGIN.user,
    password: LOGIN.password,
    timeoutMs: 2000,
    onRequest: (info) => requests.push(info),
    ...options,
  });
}

/** The CashmanError a promise rejects with; every one is kept to prove none carries the password. */
async function failure(promise: Promise<unknown>): Promise<CashmanError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a CashmanError');
    },
    (e: unknown) => e,
  );
  errors.push(error);
  expect(error).toBeInstanceOf(CashmanError);
  return error as CashmanError;
}

async function partnerCode(code: string): Promise<void> {
  await client().savePartner(partnerRequest({ partnerCode: code }), SEND_NOW);
}

beforeAll(async () => {
  standin = await startCashmanStandin({ ...LOGIN, vatIds: [32], unitIds: [19] });
});
afterEach(() => standin.clearFaults());
afterAll(async () => {
  // Nothing thrown anywhere in this file, message, cause or stack, may contain the password.
  for (const error of errors) expect(inspect(error, { depth: 10 })).not.toContain(LOGIN.password);
  expect(standin.emailCimSeen).toEqual([]);
  await standin.close();
});

describe('partners (op 9)', () => {
  it('creates, then updates by partner_id', async () => {
    const { partnerId } = await client().savePartner(partnerRequest({ partnerCode: 'SR000001' }), SEND_NOW);
    expect(partnerId).toMatch(/^\d+$/);
    expect(standin.partners.get(partnerId)).toMatchObject({ partnerCode: 'SR000001', updates: 0 });

    const updated = await client().savePartner(partnerRequest({ partnerCode: 'SR000001', partnerId, partner: companyBuyer }), SEND_NOW);
    expect(updated.partnerId).toBe(partnerId);
    expect(standin.partners.get(partnerId)).toMatchObject({ updates: 1, fields: { nev: 'Árvíztűrő tükörfúrógép Kft.' } });
    expect(standin.partners.size).toBe(1);
  });

  it('reports a duplicate partner code as rejected, with Cashman\'s message', async () => {
    await partnerCode('SR000002');
    const error = await failure(client().savePartner(partnerRequest({ partnerCode: 'SR000002' }), SEND_NOW));
    expect(error.code).toBe('CASHMAN_REJECTED');
    expect(error.message).toBe('Cashman refused the partner: A partnerkód már létezik: SR000002');
  });

  it('treats an answer without a numeric partner id as outcome unknown', async () => {
    standin.setFault({ kind: 'status500' });
    expect((await failure(client().savePartner(partnerRequest({ partnerCode: 'SR000003' }), SEND_NOW))).code).toBe('CASHMAN_OUTCOME_UNKNOWN');
  });
});

describe('drafts (op 4)', () => {
  it('is accepted with the exact totals and returns Cashman\'s answer as reference', async () => {
    await partnerCode('SR000010');
    const { reference } = await client().createDraft(sampleDraft(), 'SR000010', SEND_NOW);
    expect(reference).toMatch(/^\d+\|1$/);
    const stored = standin.drafts.at(-1);
    expect(stored?.partnerCode).toBe('SR000010');
    expect(stored?.rows[0]).toMatchObject({ Password: '********', szamla_brutto: '12000', muveletkod: '4' });
    expect(stored?.rows.map((row) => row.tetel_brutto)).toEqual(['10000', '2000']);
  });

  it('sends accented and hostile text through real multipart intact', async () => {
    await partnerCode('SR000011');
    await client().createDraft(trickyDraft(), 'SR000011', SEND_NOW);
    expect(standin.drafts.at(-1)?.rows[0]?.megnevezes).toBe('Ő "idézőjeles"; {kapcsos} termék ű 🚚');
  });

  it('is rejected by a careful vendor when the totals do not add up', async () => {
    await partnerCode('SR000012');
    const wrong = sampleDraft({ totals: { net: 9449n, vat: 2551n, gross: 12001n } });
    const error = await failure(client().createDraft(wrong, 'SR000012', SEND_NOW));
    expect(error.code).toBe('CASHMAN_REJECTED');
    expect(error.message).toMatch(/^Cashman refused the draft: A tételek brutto összege eltér/);
  });

  it('is rejected for an unknown partner code or afa_id', async () => {
    expect((await failure(client().createDraft(sampleDraft(), 'SR999999', SEND_NOW))).message).toBe(
      'Cashman refused the draft: Nem létező partnerkód: SR999999',
    );
    await partnerCode('SR000013');
    const draft = sampleDraft({ lines: [line({ vatId: 99 })], totals: { net: 7874n, vat: 2126n, gross: 10000n } });
    expect((await failure(client().createDraft(draft, 'SR000013', SEND_NOW))).code).toBe('CASHMAN_REJECTED');
  });

  it('never sends email_cim', () => {
    expect(standin.received.length).toBeGreaterThan(0);
    expect(standin.received.some(({ rows }) => rows.some((row) => 'email_cim' in row))).toBe(false);
  });
});

describe('HIBA classification', () => {
  it('classifies a login HIBA as CASHMAN_LOGIN', async () => {
    const error = await failure(client({ password: 'wrong-password' }).createDraft(sampleDraft(), 'SR000010', SEND_NOW));
    expect(error.code).toBe('CASHMAN_LOGIN');
    expect(error.temporary).toBe(false);
  });

  it('classifies other HIBA text as CASHMAN_REJECTED with one trimmed line of at most ~300 chars', async () => {
    standin.setFault({ kind: 'hiba', message: `  Hibás tétel\n${'x'.repeat(500)}  ` });
    const error = await failure(client().createDraft(sampleDraft(), 'SR000010', SEND_NOW));
    expect(error.code).toBe('CASHMAN_REJECTED');
    expect(error.message).toMatch(/^Cashman refused the draft: Hibás tétel x+/);
    expect(error.message).not.toContain('\n');
    expect(error.message.length).toBeLessThan(340);
  });

  it('uses a configurable login pattern', async () => {
    // The second client suspects a login failure; its login check gets the same HIBA and confirms it.
    standin.setFault({ kind: 'hiba', message: 'Lejárt előfizetés' }, { times: 3 });
    expect((await failure(client().createDraft(sampleDraft(), 'SR000010', SEND_NOW))).code).toBe('CASHMAN_REJECTED');
    expect((await failure(client({ loginErrorPattern: /előfizetés/i }).createDraft(sampleDraft(), 'SR000010', SEND_NOW))).code).toBe('CASHMAN_LOGIN');
  });

  it('removes the password when Cashman echoes it back', async () => {
    standin.setFault({ kind: 'hiba', message: `Hibás adat: ${LOGIN.password}` });
    const error = await failure(client().createDraft(sampleDraft(), 'SR000010', SEND_NOW));
    expect(error.message).toBe('Cashman refused the draft: Hibás adat: ********');
  });
});

describe('a login-looking HIBA is confirmed by a read-only login check (op 19)', () => {
  const operations = (from: number) => standin.received.slice(from).map((r) => r.operation);

  it('a product-group HIBA ("csoport") is the order\'s own: rejected with Cashman\'s message after the check passed', async () => {
    await partnerCode('SR000020');
    standin.rejectSku('SKU-1');
    const from = standin.received.length;
    const error = await failure(client().createDraft(sampleDraft(), 'SR000020', SEND_NOW));
    expect(error.code).toBe('CASHMAN_REJECTED');
    expect(error.message).toBe(`Cashman refused the draft: ${productGroupHiba('SKU-1').slice('HIBA: '.length)}`);
    expect(operations(from)).toEqual([4, 19]);
  });

  it('a wrong password is a login failure, confirmed by the check', async () => {
    const from = standin.received.length;
    const error = await failure(client({ password: 'wrong-password' }).savePartner(partnerRequest({ partnerCode: 'SR000021' }), SEND_NOW));
    expect(error.code).toBe('CASHMAN_LOGIN');
    expect(error.message).toMatch(/^Cashman refused the login \(check CASHMAN_GROUP, CASHMAN_USER, CASHMAN_PASSWORD\): .*\(confirmed by a read-only login check\)$/);
    expect(operations(from)).toEqual([9, 19]);
  });

  it('a check that cannot settle it (Cashman 500) stops as a login problem and says so', async () => {
    standin.setFault({ kind: 'login' }, { operations: [4] });
    standin.setFault({ kind: 'status500' }, { operations: [19] });
    const error = await failure(client().createDraft(sampleDraft(), 'SR000010', SEND_NOW));
    expect(error.code).toBe('CASHMAN_LOGIN');
    expect(error.message).toContain('could not settle it');
  });

  it('reports the check to onRequest as its own request', async () => {
    standin.rejectSku('SKU-1');
    requests.length = 0;
    await failure(client().createDraft(sampleDraft(), 'SR000020', SEND_NOW));
    expect(requests.map((r) => `${r.operation}:${r.outcome}`)).toEqual(['19:ok', '4:CASHMAN_REJECTED']);
  });
});

describe('only a recognised success counts', () => {
  const shapes = Object.keys(ODD_ANSWERS) as OddAnswer[];
  // Partner codes made of digits only: the stand-in echoes the code in its success answer.
  const code = (base: number, shape: OddAnswer) => `SR${base + shapes.indexOf(shape)}`;

  it.each(shapes)('a draft answered with %s is outcome unknown, never a draft', async (shape) => {
    await partnerCode(code(200, shape));
    standin.setFault({ kind: 'answer', shape }, { operations: [4] });
    const error = await failure(client().createDraft(sampleDraft(), code(200, shape), SEND_NOW));
    expect(error.code).toBe('CASHMAN_OUTCOME_UNKNOWN');
    expect(error.message).toMatch(/^Cashman answered the draft request with .*, not a recognised success; check in Cashman whether the draft exists\.$/);
  });

  it('a PHP warning printed before a real answer is outcome unknown although the draft exists', async () => {
    await partnerCode('SR000030');
    const before = standin.drafts.length;
    standin.setFault({ kind: 'answer', shape: 'php-warning-html', around: 'before' }, { operations: [4] });
    const error = await failure(client().createDraft(sampleDraft(), 'SR000030', SEND_NOW));
    expect(error.code).toBe('CASHMAN_OUTCOME_UNKNOWN');
    expect(error.message).toContain('a PHP warning or error');
    expect(standin.drafts.length).toBe(before + 1);
  });

  it.each(['before', 'after'] as const)('a partner answer with a PHP notice printed %s it is outcome unknown, never a partner_id', async (around) => {
    standin.setFault({ kind: 'answer', shape: 'php-notice', around }, { operations: [9] });
    const error = await failure(client().savePartner(partnerRequest({ partnerCode: around === 'before' ? 'SR000040' : 'SR000041' }), SEND_NOW));
    expect(error.code).toBe('CASHMAN_OUTCOME_UNKNOWN');
    expect(error.message).toContain('a PHP warning or error');
  });

  it.each(shapes)('a partner answered with %s is outcome unknown, never a partner_id', async (shape) => {
    standin.setFault({ kind: 'answer', shape }, { operations: [9] });
    const error = await failure(client().savePartner(partnerRequest({ partnerCode: code(300, shape) }), SEND_NOW));
    expect(error.code).toBe('CASHMAN_OUTCOME_UNKNOWN');
    expect(error.message).toMatch(/^Cashman answered the partner request with .*; check in Cashman whether the partner exists\.$/);
  });

  it.each([
    ['empty', 'with an empty answer, not'],
    ['lowercase-hiba', 'with an error text ("Hiba: a számla nem rögzíthető")'],
    ['html-page', 'with an HTML page'],
    ['php-warning-html', 'with a PHP warning or error'],
    ['php-notice', 'with a PHP warning or error ("Notice: Undefined index'],
    ['no-permission', 'with an unrecognised answer ("Nincs jogosultsága a művelethez.")'],
  ] as const)('names what it saw (%s)', async (shape, expected) => {
    standin.setFault({ kind: 'answer', shape }, { operations: [4] });
    expect((await failure(client().createDraft(sampleDraft(), 'SR000010', SEND_NOW))).message).toContain(`Cashman answered the draft request ${expected}`);
  });

  it('takes the draft answer\'s shape from draftAnswerPattern', async () => {
    await partnerCode('SR000031');
    const error = await failure(client({ draftAnswerPattern: /^SZ-\d+$/ }).createDraft(sampleDraft(), 'SR000031', SEND_NOW));
    expect(error.code).toBe('CASHMAN_OUTCOME_UNKNOWN');
    expect(error.message).toContain('an unrecognised answer');
  });

  it('a login check answered with something that is not a stock list does not pass', async () => {
    standin.setFault({ kind: 'answer', shape: 'html-page' }, { operations: [19] });
    expect((await failure(client().checkLogin())).code).toBe('CASHMAN_OUTCOME_UNKNOWN');
  });
});

describe('transport', () => {
  it('reports a refused connection as CASHMAN_NOT_SENT (temporary)', async () => {
    const error = await failure(client({ apiUrl: await closedPortUrl() }).createDraft(sampleDraft(), 'SR000010', SEND_NOW));
    expect(error.code).toBe('CASHMAN_NOT_SENT');
    expect(error.temporary).toBe(true);
  });

  it('reports an unknown host as CASHMAN_NOT_SENT', async () => {
    const error = await failure(client({ apiUrl: 'https://cashman.invalid/fxapi/jxs.php' }).checkLogin());
    expect(error.code).toBe('CASHMAN_NOT_SENT');
  });

  it('keeps certificate checks on: a self-signed server is CASHMAN_NOT_SENT and gets no request', async () => {
    let handled = 0;
    const server = https.createServer(SELF_SIGNED_LOCALHOST, (_req, res) => {
      handled += 1;
      res.end('1|ok');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const error = await failure(client({ apiUrl: `https://127.0.0.1:${port}/fxapi/jxs.php` }).checkLogin());
      expect(error.code).toBe('CASHMAN_NOT_SENT');
      expect(handled).toBe(0);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it.each([
    ['dropAfterProcessing', { kind: 'dropAfterProcessing' }],
    ['drop', { kind: 'drop' }],
    ['slow', { kind: 'slow', delayMs: 1500 }],
    ['status500', { kind: 'status500' }],
  ] as const)('reports %s as CASHMAN_OUTCOME_UNKNOWN', async (_name, fault) => {
    await partnerCode(`SR1${_name}`);
    const before = standin.drafts.length;
    standin.setFault(fault);
    const error = await failure(client({ timeoutMs: 300 }).createDraft(sampleDraft(), `SR1${_name}`, SEND_NOW));
    expect(error.code).toBe('CASHMAN_OUTCOME_UNKNOWN');
    expect(error.temporary).toBe(false);
    // The classic "sent but unknown": the draft exists although the client saw an error.
    const processed = _name === 'dropAfterProcessing' || _name === 'slow';
    expect(standin.drafts.length).toBe(before + (processed ? 1 : 0));
  });

  it('does not retry inside got', async () => {
    const before = standin.stats.requests;
    standin.setFault({ kind: 'drop' });
    await failure(client().checkLogin());
    expect(standin.stats.requests).toBe(before + 1);
  });

  it('accepts plain http only on loopback', () => {
    expect(() => client({ apiUrl: 'http://cashman.example.hu/fxapi/jxs.php' })).toThrow(ConfigError);
    expect(() => client({ apiUrl: 'not a url' })).toThrow(ConfigError);
    expect(() => client({ apiUrl: 'https://www.cmfx.hu/fxapi/jxs.php' })).not.toThrow();
    expect(() => client({ apiUrl: 'http://localhost:8080/x' })).not.toThrow();
    expect(() => client({ apiUrl: 'http://[::1]:8080/x' })).not.toThrow();
  });

  it('reports each request to onRequest', async () => {
    requests.length = 0;
    await client().checkLogin();
    expect(requests).toEqual([{ operation: 19, durationMs: expect.any(Number), outcome: 'ok' }]);
  });
});

describe('checkLogin (op 19)', () => {
  it('succeeds on a stock list', async () => {
    await expect(client().checkLogin()).resolves.toBeUndefined();
  });

  it('fails with CASHMAN_LOGIN on a login HIBA', async () => {
    expect((await failure(client({ password: 'nope' }).checkLogin())).code).toBe('CASHMAN_LOGIN');
    standin.setFault({ kind: 'login' });
    expect((await failure(client().checkLogin())).code).toBe('CASHMAN_LOGIN');
  });
});

describe('describe*()', () => {
  it('returns the exact rows with the password masked', () => {
    const rows = [...client().describeDraftRequest(trickyDraft(), 'SR1'), ...client().describePartnerRequest(partnerRequest())];
    expect(rows[0]?.Password).toBe('********');
    expect(JSON.stringify(rows)).not.toContain(LOGIN.password);
    expect(client({ draftOperation: 1 }).describeDraftRequest(sampleDraft(), 'SR1')[0]?.muveletkod).toBe('1');
  });

  it('sends exactly the rows it described (the audit row), with the real password, and a changed partner code wins', async () => {
    await partnerCode('SR000090');
    await partnerCode('SR000091');
    const cashman = client();
    const draft = trickyDraft();
    const described = cashman.describeDraftRequest(draft, 'SR000090');
    // A login with the masked password would be refused: success proves the real one left.
    await cashman.createDraft(draft, 'SR000090', SEND_NOW);
    expect(standin.received.at(-1)?.rows).toEqual(described);

    const other = sampleDraft();
    cashman.describeDraftRequest(other, 'SR000090');
    await cashman.createDraft(other, 'SR000091', SEND_NOW);
    expect(standin.drafts.at(-1)?.partnerCode).toBe('SR000091');
    expect(standin.received.at(-1)?.rows).toEqual(cashman.describeDraftRequest(other, 'SR000091'));
  });
});
