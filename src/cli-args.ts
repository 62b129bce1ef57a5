import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';

/**
 * Each command's own options and arguments, its `--help` text, and a strict parse that refuses
 * anything else with a sentence (exit 2). Node's parser wording never reaches a user: this module
 * checks every flag itself first, and maps the parser's remaining errors by their code.
 */
export interface CommandSpec {
  /** "<order>" etc.; at most this many positionals. */
  args: readonly string[];
  /** Positionals that must be given. */
  required?: number;
  /** The usage line's arguments when `args` alone cannot say it (sub-commands). */
  usage?: string;
  options: Record<string, { type: 'boolean' | 'string'; help: string; value?: string }>;
  summary: string;
}

export const COMMAND_SPECS: Record<string, CommandSpec> = {
  run: { args: [], options: {}, summary: 'the daemon: a cycle every sync.intervalSeconds until SIGTERM, SIGINT or SIGHUP (all three stop it gracefully)' },
  once: { args: [], options: {}, summary: 'one full cycle (new orders and due retries), a summary, then exit' },
  preview: {
    args: ['<order>'],
    required: 1,
    options: { json: { type: 'boolean', help: 'print the exact request rows (password masked) instead of the table' } },
    summary: 'what the daemon would do with one order and why, and the partner and draft it would send; writes nothing',
  },
  status: {
    args: ['<order>'],
    options: { json: { type: 'boolean', help: 'machine-readable output' } },
    summary:
      'counts per state, cursor, the writer, the pilot, the last cycle (or the one running), and every order that needs a person; with <order>: that order\'s whole story',
  },
  retry: {
    args: ['<order>'],
    usage: '<order> | --quarantined',
    options: {
      force: { type: 'boolean', help: 'also an uncertain order (check Cashman first: it may create a second draft)' },
      quarantined: { type: 'boolean', help: 'every quarantined order (their reasons are shown first)' },
      'partner-code-is-theirs': { type: 'boolean', help: 'an order held for its partner code: you checked that the partner in Cashman is this buyer (recorded)' },
      'new-partner-code': { type: 'boolean', help: 'an order held for its partner code: the partner in Cashman is someone else; use the next free code (recorded)' },
    },
    summary: 'put a failed, quarantined or skipped order back in line; --quarantined: every quarantined one',
  },
  resolve: {
    args: ['<order>'],
    required: 1,
    options: { done: { type: 'boolean', help: 'required: the draft exists in Cashman' } },
    summary: 'record that the draft of an uncertain order exists in Cashman',
  },
  ack: {
    args: ['<order>'],
    required: 1,
    options: {},
    summary: 'record that a person dealt with an order cancelled or changed after its draft',
  },
  redraft: {
    args: ['<order>'],
    required: 1,
    options: { 'old-draft-deleted': { type: 'boolean', help: 'required: you state that you deleted the old draft in Cashman (recorded as your statement)' } },
    summary: 'send one new draft for an order reported as changed after its draft, once you deleted the old one in Cashman',
  },
  approve: { args: [], options: {}, summary: 'end the pilot once its drafts were checked in Cashman' },
  check: {
    args: [],
    options: { 'send-test-alert': { type: 'boolean', help: 'also send one test alert on every configured alert channel (webhook, e-mail)' } },
    summary: 'validate config, .env and the ledger path, test both logins and the SMTP login, report unmapped shop values and the backlog',
  },
  'init-config': {
    args: [],
    options: {
      force: { type: 'boolean', help: 'overwrite an existing CONFIG_PATH' },
      stdout: { type: 'boolean', help: 'print the config instead of writing CONFIG_PATH' },
    },
    summary: 'write a starting config.yaml from the live shop',
  },
  health: { args: [], options: {}, summary: 'exit 0 when the last cycle is recent or the running one is making progress (Docker HEALTHCHECK)' },
  demo: {
    args: [],
    options: {
      database: { type: 'string', value: '<file>', help: 'keep the demo ledger in this file (default: a temp folder)' },
      serve: { type: 'boolean', help: 'only start the stand-ins on fixed ports and print the .env lines that point at them' },
      port: { type: 'string', value: '<n>', help: 'with --serve: Shoprenter on <n>, Cashman on <n>+1, the control on <n>+2 (default 8701)' },
    },
    summary: 'watch it work against built-in stand-ins of Shoprenter and Cashman',
  },
  stock: {
    args: ['<action>'],
    required: 1,
    usage: 'preview | push | approve',
    options: { json: { type: 'boolean', help: 'stock preview: machine-readable output' } },
    summary: "Cashman's stock in the shop (SPEC §6): preview a round (writes nothing), push one round now, approve a held round",
  },
  webhooks: {
    args: ['<action>', '<url-or-id>'],
    required: 1,
    usage: 'register <public-url> | list | remove [<id>]',
    options: {},
    summary: "manage the shop's order webhooks that point at this daemon (HTTP_PORT)",
  },
};

export interface ParsedCommand {
  command: string;
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
}

export function commandHelp(command: string, spec: CommandSpec): string {
  const args = spec.usage ?? spec.args.map((a, i) => (i < (spec.required ?? 0) ? a : `[${a}]`)).join(' ');
  const head = `Usage: shoprenter-cashman-sync ${[command, args].filter(Boolean).join(' ')}${Object.keys(spec.options).length ? ' [options]' : ''}`;
  // Two spaces at least between a long option and its help, so the columns stay readable (and parseable).
  const options = Object.entries(spec.options).map(([name, o]) => `  --${name}${o.value ? ` ${o.value}` : ''}  `.padEnd(26) + o.help);
  return [head, '', `  ${spec.summary}`, '', 'Options:', ...options, '  --help'.padEnd(26) + 'this text'].join('\n');
}

/** Strict parse of `argv` after the command name; throws UsageError with one sentence. */
export function parseCommandArgs(command: string, spec: CommandSpec, argv: string[]): ParsedCommand {
  const allowed = new Set([...Object.keys(spec.options), 'help']);
  for (const arg of argv) {
    if (arg === '--') break;
    if (!arg.startsWith('-') || arg === '-') continue;
    const name = arg.replace(/^--?/, '').split('=')[0]!;
    if (name === 'h' || allowed.has(name)) continue;
    const known = Object.keys(spec.options).map((o) => `--${o}`);
    throw new UsageError(
      `"${command}" has no option ${arg.split('=')[0]}; ${known.length ? `it takes ${known.join(', ')}` : 'it takes no options'} (see "${command} --help").`,
    );
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { ...Object.fromEntries(Object.entries(spec.options).map(([k, o]) => [k, { type: o.type }])), help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const stringOption = Object.entries(spec.options).find(([, o]) => o.type === 'string');
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && stringOption) {
      throw new UsageError(`--${stringOption[0]} needs a value, e.g. "${command} --${stringOption[0]} ${stringOption[1].value ?? 'value'}".`);
    }
    throw new UsageError(`The options of "${command}" could not be read; see "${command} --help".`);
  }
  const positionals = parsed.positionals;
  if (parsed.values['help'] !== true) {
    const shape = spec.usage ?? spec.args.join(' ');
    if (positionals.length > spec.args.length) {
      const takes = spec.args.length === 0 ? 'no arguments' : spec.args.length === 1 ? `one argument (${shape})` : `at most ${spec.args.length} arguments (${shape})`;
      throw new UsageError(`"${command}" takes ${takes}, not "${positionals.slice(spec.args.length).join(' ')}".`);
    }
    if (positionals.length < (spec.required ?? 0)) {
      throw new UsageError(
        spec.usage
          ? `"${command}" needs ${spec.usage}; see "${command} --help".`
          : `"${command}" needs ${spec.args.slice(0, spec.required).join(' ')}, e.g. "${command} 1234"; see "${command} --help".`,
      );
    }
  }
  return { command, positionals, values: parsed.values };
}
