import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MAIN, requireBuild } from './helpers/processes.js';

/**
 * The shop clock reads the wall clock from Date's local getters once the process's TZ is the shop's
 * zone (src/commands/context.ts sets it when a command loads config.yaml), instead of loading
 * Intl.DateTimeFormat. Setting TZ only works in a real process (jest hands tests a copy of
 * process.env), so each case runs the built code in a child process; the expected wall clock is
 * ICU's DateTimeFormat, computed here, in this file. The zones cover every kind of rule: EU and US
 * summer time, a half-hour change (Lord Howe), odd offsets (Kathmandu, Chatham), Dublin's
 * "negative" summer time, Morocco's Ramadan changes and São Paulo's abandoned DST.
 */

const ZONES = ['Europe/Budapest', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Chatham', 'Europe/Dublin', 'Africa/Casablanca', 'America/Sao_Paulo'];
const DIST = pathToFileURL(dirname(MAIN)).href;

function reference(ms: number, zone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(ms);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}`;
}

/** Instants where the zone's offset changes, found against the reference by bisection. */
function changes(zone: string, from: number, to: number): number[] {
  const offset = (ms: number) => Date.parse(`${reference(ms, zone)}Z`) - Math.floor(ms / 1000) * 1000;
  const found: number[] = [];
  const step = 6 * 3_600_000;
  for (let t = from; t < to; t += step) {
    if (offset(t) === offset(t + step)) continue;
    let [a, b] = [t, t + step];
    while (b - a > 1000) {
      const mid = a + Math.floor((b - a) / 2000) * 1000;
      if (offset(mid) === offset(t)) a = mid;
      else b = mid;
    }
    found.push(b);
  }
  return found;
}

// The child: loads config.yaml through the command context (which sets TZ), counts every
// DateTimeFormat made, and answers the shop clock for each instant and local time it is given.
const CHILD = `
const made = { count: 0 };
const Original = Intl.DateTimeFormat;
Intl.DateTimeFormat = function (...args) { made.count += 1; return new Original(...args); };
const [configPath] = process.argv.slice(1);
const { readFileSync } = await import('node:fs');
const { instants, locals, nowMs, zone } = JSON.parse(readFileSync(0, 'utf8'));
const { config } = await import('${DIST}/commands/context.js');
const clock = await import('${DIST}/domain/shop-clock.js');
config({ configPath });
const wall = instants.map((t) => clock.shopNow(new Date(t), zone));
const bounds = () => locals.map((l) => clock.localToInstant(l, zone).toISOString() + ' ' + clock.listLowerBound(l, 10, zone, new Date(nowMs)));
const local = bounds();
const formatsMade = made.count;
clock.followLocalTimeFor(null);
process.stdout.write(JSON.stringify({ tz: process.env.TZ, formatsMade, wall, local, intl: bounds() }));
`;

const dir = mkdtempSync(join(tmpdir(), 'scs-tz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runChild(zone: string, input: object, env: Record<string, string> = {}): { tz: string; formatsMade: number; wall: string[]; local: string[]; intl: string[] } {
  const configPath = join(dir, `${zone.replace(/\//g, '-')}.yaml`);
  writeFileSync(configPath, `version: 1\nsync:\n  timezone: ${zone}\n`);
  const { TZ: _tz, ...rest } = process.env;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', CHILD, configPath], {
    input: JSON.stringify({ zone, ...input }),
    env: { ...rest, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (child.status !== 0) throw new Error(`child failed (${child.error?.message ?? child.status}): ${child.stderr}`);
  return JSON.parse(child.stdout) as ReturnType<typeof runChild>;
}

describe('the shop clock on the process zone', () => {
  requireBuild();

  it.each(ZONES)('%s: the same wall clock as DateTimeFormat every 37 minutes of 2024-2026 and around every change', (zone) => {
    const from = Date.UTC(2024, 0, 1);
    const to = Date.UTC(2027, 0, 1);
    const instants: number[] = [];
    for (let t = from; t < to; t += 37 * 60_000 + 13_000) instants.push(t);
    const around = changes(zone, from, to);
    if (zone !== 'Asia/Kathmandu' && zone !== 'America/Sao_Paulo') expect(around.length).toBeGreaterThan(0);
    for (const c of around) for (const d of [-3_601_000, -1000, 0, 1000, 3_599_000]) instants.push(c + d);
    const locals = changes(zone, Date.UTC(2025, 0, 1), Date.UTC(2026, 0, 1)).flatMap((c) =>
      [-5_400_000, -1_800_000, -1000, 0, 1000, 1_800_000, 5_400_000].map((d) => reference(c + d, zone)),
    );
    const answer = runChild(zone, { instants, locals, nowMs: Date.UTC(2026, 0, 1) });
    // A canonical name takes the fast path (no DateTimeFormat made at all); an alias that ICU lists
    // under another name ("Asia/Kathmandu" is "Asia/Katmandu" there) stays on Intl.
    if (Intl.supportedValuesOf('timeZone').includes(zone)) expect(answer).toMatchObject({ tz: zone, formatsMade: 0 });
    else expect(answer.formatsMade).toBeGreaterThan(0);
    const wrong = instants.filter((t, i) => answer.wall[i] !== reference(t, zone)).map((t) => new Date(t).toISOString());
    expect(wrong).toEqual([]);
    // Local times around the changes (repeated and skipped ones) to instants and list bounds: as through Intl.
    expect(answer.local).toEqual(answer.intl);
  });

  it('never overrides a TZ the user set to another zone, and reads the shop wall clock through Intl then', () => {
    const summer = Date.UTC(2026, 6, 1, 10, 0, 0);
    const answer = runChild('Europe/Budapest', { instants: [summer], locals: [], nowMs: summer }, { TZ: 'America/New_York' });
    expect(answer.tz).toBe('America/New_York');
    expect(answer.formatsMade).toBeGreaterThan(0);
    expect(answer.wall).toEqual(['2026-07-01T12:00:00']);
  });

  it('keeps a TZ the user set to the shop zone itself, on the fast path', () => {
    const winter = Date.UTC(2026, 0, 15, 23, 30, 0);
    const answer = runChild('Europe/Budapest', { instants: [winter], locals: [], nowMs: winter }, { TZ: 'Europe/Budapest' });
    expect(answer).toMatchObject({ tz: 'Europe/Budapest', formatsMade: 0, wall: ['2026-01-16T00:30:00'] });
  });

  it('a zone name that is an alias (UTC) goes through Intl and stays right', () => {
    const t = Date.UTC(2026, 2, 29, 1, 30, 0);
    const answer = runChild('UTC', { instants: [t], locals: [], nowMs: t });
    expect(answer.wall).toEqual(['2026-03-29T01:30:00']);
    expect(answer.formatsMade).toBeGreaterThan(0);
  });
});
