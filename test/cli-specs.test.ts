import { describe, expect, it } from '@jest/globals';
import { COMMAND_NAMES, USAGE, main } from '../src/cli.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, ctx: { env: {}, out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
}

/**
 * Every command, its usage line and its options, written out by hand from SPEC and the README's
 * command list (not read from src/cli-args.ts): the commands other branches added (ack, redraft,
 * status <order>, webhooks) must be as strict and as documented as the rest.
 */
const EXPECTED: Record<string, { usage: string; options: string[] }> = {
  run: { usage: 'run', options: [] },
  once: { usage: 'once', options: [] },
  preview: { usage: 'preview <order> [options]', options: ['--json'] },
  status: { usage: 'status [<order>] [options]', options: ['--json'] },
  retry: { usage: 'retry <order> | --quarantined [options]', options: ['--force', '--quarantined', '--partner-code-is-theirs', '--new-partner-code'] },
  resolve: { usage: 'resolve <order> [options]', options: ['--done'] },
  ack: { usage: 'ack <order>', options: [] },
  redraft: { usage: 'redraft <order> [options]', options: ['--old-draft-deleted'] },
  approve: { usage: 'approve', options: [] },
  check: { usage: 'check [options]', options: ['--send-test-alert'] },
  'init-config': { usage: 'init-config [options]', options: ['--force', '--stdout'] },
  health: { usage: 'health', options: [] },
  webhooks: { usage: 'webhooks register <public-url> | list | remove [<id>]', options: [] },
  stock: { usage: 'stock preview | push | approve [options]', options: ['--json'] },
  demo: { usage: 'demo [options]', options: ['--database <file>', '--serve', '--port <n>'] },
};

describe('every command has a strict spec, a --help and a USAGE line', () => {
  it('knows exactly the documented commands', () => {
    expect([...COMMAND_NAMES].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s --help names its usage and options', async (command, expected) => {
    const c = capture();
    expect(await main([command, '--help'], c.ctx)).toBe(0);
    const text = c.out.join('\n');
    expect(text.split('\n')[0]).toBe(`Usage: shoprenter-cashman-sync ${expected.usage}`);
    const listed = text.split('\n').filter((l) => /^ {2}--/.test(l) && !l.startsWith('  --help')).map((l) => l.trim().split(/\s{2,}/)[0]);
    expect(listed).toEqual(expected.options);
    expect(USAGE).toMatch(new RegExp(`^ {2}${command}\\b`, 'm'));
  });

  it.each([
    [['ack', '15', '--force'], '"ack" has no option --force; it takes no options (see "ack --help").'],
    [['redraft'], '"redraft" needs <order>, e.g. "redraft 1234"; see "redraft --help".'],
    [['redraft', '15', '16'], '"redraft" takes one argument (<order>), not "16".'],
    [['webhooks'], '"webhooks" needs register <public-url> | list | remove [<id>]; see "webhooks --help".'],
    [['webhooks', 'remove', '7', '8'], '"webhooks" takes at most 2 arguments (register <public-url> | list | remove [<id>]), not "8".'],
    [['webhooks', 'list', '--json'], '"webhooks" has no option --json; it takes no options (see "webhooks --help").'],
    [['status', '15', '--force'], '"status" has no option --force; it takes --json (see "status --help").'],
    [['stock'], '"stock" needs preview | push | approve; see "stock --help".'],
    [['stock', 'push', 'now'], '"stock" takes one argument (preview | push | approve), not "now".'],
    [['stock', 'pull'], 'Unknown stock action "pull"; use "stock preview", "stock push" or "stock approve".'],
  ])('%j is refused with a sentence (exit 2)', async (argv, sentence) => {
    const c = capture();
    expect(await main(argv, c.ctx)).toBe(2);
    expect(c.err.join('\n')).toBe(sentence);
  });
});
