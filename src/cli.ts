import { parseArgs } from 'node:util';
import { healthCommand, resolveCommand, retryCommand, statusCommand } from './commands/ledger-commands.js';
import { onceCommand, runCommand } from './commands/sync-commands.js';
import { checkCommand } from './commands/check.js';
import { demoCommand } from './commands/demo.js';
import { initConfigCommand } from './commands/init-config.js';
import { previewCommand } from './commands/preview.js';
import { approveCommand } from './commands/pilot-commands.js';
import type { CommandContext } from './commands/context.js';
import { AppError, ConfigError, UsageError } from './errors.js';

export const USAGE = `Usage: shoprenter-cashman-sync <command>

  run                    the daemon: a cycle every sync.intervalSeconds until SIGTERM/SIGINT
  once                   one full cycle (new orders and due retries), a summary, then exit
  preview <order> [--json]
                         show the partner and the draft an order would become; writes nothing
  status [--json]        counts per state, cursor, last cycle, and every order that needs a person
  retry <order> [--force]
                         put a failed or quarantined order back in line (--force: also an uncertain one)
  resolve <order> --done record that the draft exists in Cashman
  approve                end the pilot: the first sync.pilotOrders drafts were checked in Cashman
  check                  validate config and .env, test both logins, report unmapped shop values
  init-config [--force] [--stdout]
                         write a starting config.yaml from the live shop (--stdout: print it instead)
  health                 exit 0 when the last successful cycle is recent (Docker HEALTHCHECK)
  demo [--database <file>]
                         watch it work against built-in stand-ins of Shoprenter and Cashman
                         (its ledger lives in a temp folder unless --database names one)

Exit codes: 0 success, 1 runtime failure, 2 bad config or usage.`;

type Handler = (ctx: CommandContext, positionals: string[], flags: Flags) => Promise<number> | number;
interface Flags {
  json: boolean;
  force: boolean;
  done: boolean;
  stdout: boolean;
  database: string | undefined;
}

const COMMANDS: Record<string, Handler> = {
  run: (ctx) => runCommand(ctx),
  once: (ctx) => onceCommand(ctx),
  status: (ctx, _p, flags) => statusCommand(ctx, flags.json),
  retry: (ctx, p, flags) => retryCommand(ctx, p[0], flags.force),
  resolve: (ctx, p, flags) => resolveCommand(ctx, p[0], flags.done),
  health: (ctx) => healthCommand(ctx),
  preview: (ctx, p, flags) => previewCommand(ctx, p[0], flags.json),
  check: (ctx) => checkCommand(ctx),
  approve: (ctx) => approveCommand(ctx),
  'init-config': (ctx, _p, flags) => initConfigCommand(ctx, flags.force, flags.stdout),
  demo: (ctx, _p, flags) => demoCommand(ctx, flags.database),
};

/** Runs one command and returns its exit code; prints one clear sentence on failure. */
export async function main(argv: string[], ctx: CommandContext & { err: (text: string) => void }): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        force: { type: 'boolean', default: false },
        done: { type: 'boolean', default: false },
        stdout: { type: 'boolean', default: false },
        database: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    ctx.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [command, ...rest] = parsed.positionals;
  if (parsed.values.help || command === 'help') {
    ctx.out(USAGE);
    return 0;
  }
  const handler = command && Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!handler) {
    ctx.err(`${command ? `Unknown command "${command}".` : 'No command given.'}\n\n${USAGE}`);
    return 2;
  }
  try {
    const { json, force, done, stdout, database } = parsed.values;
    return await handler(ctx, rest, { json, force, done, stdout, database });
  } catch (error) {
    ctx.err(errorLine(error, ctx.env['LOG_LEVEL'] === 'debug'));
    return error instanceof ConfigError || error instanceof UsageError ? 2 : 1;
  }
}

function errorLine(error: unknown, debug: boolean): string {
  const message = error instanceof Error ? error.message : String(error);
  const prefix = error instanceof AppError ? '' : 'Unexpected error: ';
  return debug && error instanceof Error && error.stack ? `${prefix}${message}\n${error.stack}` : `${prefix}${message}`;
}
