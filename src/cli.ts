import { COMMAND_SPECS, commandHelp, parseCommandArgs, type ParsedCommand } from './cli-args.js';
import { packageVersion } from './version.js';
import type { CommandContext } from './commands/context.js';
import { AppError, ConfigError, UsageError } from './errors.js';

export const USAGE = `Usage: shoprenter-cashman-sync <command> [options]

  run                    the daemon: a cycle every sync.intervalSeconds; SIGTERM, SIGINT and SIGHUP
                         stop it gracefully (restart it to apply a config change)
  once                   one full cycle (new orders and due retries), a summary, then exit
  preview <order> [--json]
                         what the daemon would do with an order and why, and the partner and draft
                         it would send; writes nothing
  status [--json]        counts per state, cursor, writer, pilot, last cycle (or the one running), and
                         every order that needs a person
  status <order> [--json]
                         one order's whole story: state, attempts, reasons, Cashman reference, what changed
  retry <order> [--force]
                         put a failed, quarantined or skipped order back in line (--force: also an uncertain one)
  retry --quarantined    put every quarantined order back in line, showing each one's reason first
  retry <order> --partner-code-is-theirs | --new-partner-code
                         for an order held because its partner code was taken after a lost answer:
                         the partner in Cashman is this buyer / is someone else (your statement is recorded)
  resolve <order> --done record that the draft of an uncertain order exists in Cashman
  ack <order>            record that a person dealt with an order cancelled or changed after its draft
  redraft <order> --old-draft-deleted
                         send one new draft for an order reported as changed after its draft, once
                         you deleted the old one in Cashman (your statement is recorded)
  approve                end the pilot: the first sync.pilotOrders drafts were checked in Cashman
  check [--send-test-alert]
                         validate config, .env and the ledger path, test both logins (and the SMTP
                         login), report unmapped shop values and how many orders are waiting
                         (--send-test-alert: send one test alert on every alert channel)
  init-config [--force] [--stdout]
                         write a starting config.yaml from the live shop (--stdout: print it instead)
  health                 exit 0 when the last cycle is recent or the running one makes progress
  webhooks register <public-url> | list | remove [<id>]
                         manage the shop's order webhooks that point at this daemon (HTTP_PORT)
  stock preview [--json] | push | approve
                         Cashman's stock in the shop: what a round would write (writes nothing), one
                         round now (exit 2 when held), let a held round go once
  demo [--database <file>] [--serve [--port <n>]]
                         watch it work against built-in stand-ins of Shoprenter and Cashman
                         (--serve: only start them on fixed ports, for trying check, init-config, preview, once, approve, with a control to add, cancel and change orders)

  <command> --help       that command's options;  --version  the version

Exit codes: 0 success, 1 runtime failure, 2 bad config or usage.`;

type Handler = (ctx: CommandContext, positionals: string[], flags: Flags) => Promise<number> | number;
interface Flags {
  json: boolean;
  force: boolean;
  done: boolean;
  oldDraftDeleted: boolean;
  quarantined: boolean;
  stdout: boolean;
  serve: boolean;
  database: string | undefined;
  port: string | undefined;
  sendTestAlert: boolean;
  partnerStatement: 'theirs' | 'new-code' | 'both' | null;
}

// Each command's modules are loaded when it runs: `run` does not carry the demo's stand-ins, the
// stock and webhook commands or `check` in its memory.
const commands = {
  sync: () => import('./commands/sync-commands.js'),
  ledger: () => import('./commands/ledger-commands.js'),
  partnerCode: () => import('./commands/partner-code-commands.js'),
  check: () => import('./commands/check.js'),
  demo: () => import('./commands/demo.js'),
  demoServe: () => import('./commands/demo-serve.js'),
  initConfig: () => import('./commands/init-config.js'),
  preview: () => import('./commands/preview.js'),
  afterDraft: () => import('./commands/after-draft-commands.js'),
  orderStory: () => import('./commands/order-story.js'),
  webhooks: () => import('./commands/webhooks.js'),
  stock: () => import('./commands/stock-commands.js'),
  pilot: () => import('./commands/pilot-commands.js'),
};

const COMMANDS: Record<string, Handler> = {
  run: async (ctx) => (await commands.sync()).runCommand(ctx),
  once: async (ctx) => (await commands.sync()).onceCommand(ctx),
  status: async (ctx, p, flags) => (p[0] ? (await commands.orderStory()).orderStatusCommand(ctx, p[0], flags.json) : (await commands.ledger()).statusCommand(ctx, flags.json)),
  ack: async (ctx, p) => (await commands.afterDraft()).ackCommand(ctx, p[0]),
  redraft: async (ctx, p, flags) => (await commands.afterDraft()).redraftCommand(ctx, p[0], flags.oldDraftDeleted),
  retry: async (ctx, p, flags) =>
    flags.partnerStatement === 'both'
      ? Promise.reject(new UsageError('retry takes --partner-code-is-theirs or --new-partner-code, not both: look up the partner in Cashman first.'))
      : flags.partnerStatement
        ? (await commands.partnerCode()).partnerStatementCommand(ctx, p[0], flags.partnerStatement, flags.force || flags.quarantined)
        : (await commands.ledger()).retryCommand(ctx, p[0], flags.force, flags.quarantined),
  resolve: async (ctx, p, flags) => (await commands.ledger()).resolveCommand(ctx, p[0], flags.done),
  health: async (ctx) => (await commands.ledger()).healthCommand(ctx),
  preview: async (ctx, p, flags) => (await commands.preview()).previewCommand(ctx, p[0], flags.json),
  check: async (ctx, _p, flags) => (await commands.check()).checkCommand(ctx, { sendTestAlert: flags.sendTestAlert }),
  approve: async (ctx) => (await commands.pilot()).approveCommand(ctx),
  'init-config': async (ctx, _p, flags) => (await commands.initConfig()).initConfigCommand(ctx, flags.force, flags.stdout),
  demo: async (ctx, _p, flags) => {
    if (!flags.serve) return (await commands.demo()).demoCommand(ctx, flags.database);
    const { demoServe, untilStopped } = await commands.demoServe();
    return demoServe(ctx, flags.port, () => untilStopped(ctx));
  },
  webhooks: async (ctx, p) => (await commands.webhooks()).webhooksCommand(ctx, p),
  stock: async (ctx, p, flags) => (await commands.stock()).stockCommand(ctx, p, flags.json),
};

/** Runs one command and returns its exit code; prints one clear sentence on failure. */
export async function main(argv: string[], ctx: CommandContext & { err: (text: string) => void }): Promise<number> {
  const commandAt = argv.findIndex((arg) => !arg.startsWith('-'));
  const command = commandAt === -1 ? undefined : argv[commandAt];
  if (command === undefined || command === 'help') {
    if (argv.includes('--version') || argv.includes('-v')) {
      ctx.out(`shoprenter-cashman-sync ${packageVersion()}`);
      return 0;
    }
    const helpWanted = command === 'help' || argv.includes('--help') || argv.includes('-h');
    const topic = command === 'help' ? argv[commandAt + 1] : undefined;
    if (topic && Object.hasOwn(COMMAND_SPECS, topic)) {
      ctx.out(commandHelp(topic, COMMAND_SPECS[topic]!));
      return 0;
    }
    if (helpWanted) {
      ctx.out(USAGE);
      return 0;
    }
    ctx.err(`${argv.length ? `Unknown option ${argv[0]!}.` : 'No command given.'}\n\n${USAGE}`);
    return 2;
  }
  const handler = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!handler) {
    ctx.err(`Unknown command "${command}".\n\n${USAGE}`);
    return 2;
  }
  const rest = [...argv.slice(0, commandAt), ...argv.slice(commandAt + 1)];
  try {
    const parsed = parseFor(command, rest);
    if (parsed.values['help'] === true) {
      const spec = COMMAND_SPECS[command];
      ctx.out(spec ? commandHelp(command, spec) : USAGE);
      return 0;
    }
    const v = parsed.values;
    const flags: Flags = {
      json: v['json'] === true,
      force: v['force'] === true,
      done: v['done'] === true,
      oldDraftDeleted: v['old-draft-deleted'] === true,
      quarantined: v['quarantined'] === true,
      stdout: v['stdout'] === true,
      serve: v['serve'] === true,
      database: typeof v['database'] === 'string' ? v['database'] : undefined,
      port: typeof v['port'] === 'string' ? v['port'] : undefined,
      sendTestAlert: v['send-test-alert'] === true,
      partnerStatement: partnerStatement(v['partner-code-is-theirs'] === true, v['new-partner-code'] === true),
    };
    return await handler(ctx, parsed.positionals, flags);
  } catch (error) {
    ctx.err(errorLine(error, ctx.env['LOG_LEVEL'] === 'debug', ctx.env['LOG_FORMAT'] === 'json'));
    return error instanceof ConfigError || error instanceof UsageError ? 2 : 1;
  }
}

function partnerStatement(theirs: boolean, newCode: boolean): Flags['partnerStatement'] {
  if (theirs && newCode) return 'both';
  return theirs ? 'theirs' : newCode ? 'new-code' : null;
}

/** Every command has a spec (test/cli-specs.test.ts holds them to it): parsed strictly. */
function parseFor(command: string, rest: string[]): ParsedCommand {
  return parseCommandArgs(command, COMMAND_SPECS[command] ?? { args: [], options: {}, summary: '' }, rest);
}

/** The commands main() knows, for the test that every one has a spec and a USAGE line. */
export const COMMAND_NAMES: readonly string[] = Object.keys(COMMANDS);

function errorLine(error: unknown, debug: boolean, json: boolean): string {
  const message = error instanceof Error ? error.message : String(error);
  const prefix = error instanceof AppError ? '' : 'Unexpected error: ';
  // LOG_FORMAT=json: log shippers get the failure as one JSON line like every other event.
  if (json) return JSON.stringify({ level: 'error', message: `${prefix}${message}`, code: error instanceof AppError ? error.code : 'UNEXPECTED', timestamp: new Date().toISOString() });
  return debug && error instanceof Error && error.stack ? `${prefix}${message}\n${error.stack}` : `${prefix}${message}`;
}
