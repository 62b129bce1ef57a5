import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { showOnFailure } from './failure-output.js';

/** The built program, spawned as a real process (`npm run build` first). */
export const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'main.js');

export interface Child {
  process: ChildProcess;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: string[];
  text(): string;
}

export function requireBuild(): void {
  if (!existsSync(MAIN)) throw new Error('dist/main.js is missing: run npm run build first');
}

export function spawnCli(args: string[], env: Record<string, string>, cwd: string): Child {
  const child = spawn(process.execPath, [MAIN, ...args], {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', HOME: cwd, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  showOnFailure(`node dist/main.js ${args.join(' ')} (pid ${child.pid ?? '?'})`, output);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { process: child, exit, output, text: () => output.join('') };
}

export async function runToEnd(args: string[], env: Record<string, string>, cwd: string, timeoutMs = 20_000): Promise<{ code: number | null; text: string }> {
  const child = spawnCli(args, env, cwd);
  const timer = setTimeout(() => child.process.kill('SIGKILL'), timeoutMs);
  const { code } = await child.exit;
  clearTimeout(timer);
  return { code, text: child.text() };
}

export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Order number from the draft's `egyeb` ("Shoprenter rendelés: 1042"). */
export function orderNumberOf(egyeb: string | undefined): string {
  return /(\d+)\s*$/.exec(egyeb ?? '')?.[1] ?? '?';
}

/** Order numbers drafted more than once. */
export function duplicateDrafts(drafts: readonly { rows: readonly Record<string, string>[] }[]): string[] {
  const perOrder = new Map<string, number>();
  for (const draft of drafts) {
    const n = orderNumberOf(draft.rows[0]?.['egyeb']);
    perOrder.set(n, (perOrder.get(n) ?? 0) + 1);
  }
  return [...perOrder].filter(([, n]) => n > 1).map(([order]) => order);
}
