import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The real daemon as users run it (`node dist/main.js run`), in a child process the bench watches. */
export interface DaemonProcess {
  readonly pid: number;
  /** Epoch ms just before spawn. */
  readonly spawnedAt: number;
  readonly lines: readonly LogLine[];
  /** Resolves with the first line from index `from` on that matches; rejects after `timeoutMs` or on exit. */
  waitForLine(pattern: RegExp, timeoutMs: number, from?: number): Promise<LogLine>;
  /** Peak resident set (VmHWM, kB) seen so far; null where /proc is missing. */
  peakRssKb(): number | null;
  /** SIGTERM, then the exit code (the daemon finishes the order in hand and exits 0). */
  stop(timeoutMs?: number): Promise<number | null>;
}

export interface LogLine {
  text: string;
  /** Epoch ms when the bench read it. */
  at: number;
}

export const nowMs = (): number => performance.timeOrigin + performance.now();

// The daemon the image ships (`npm run build` → dist/), not a copy: this file runs from
// dist-bench/bench/, which tsconfig.bench.json keeps out of dist/ and the image.
const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/** NODE_OPTIONS for every daemon the bench starts (set once by run.ts from --node-options). */
let daemonNodeOptions = '';
export function setDaemonNodeOptions(value: string): void {
  daemonNodeOptions = value.trim();
}

export function startDaemon(options: { env: Record<string, string>; cwd: string; command?: string }): DaemonProcess {
  // A clean environment: the user's own NODE_OPTIONS, LOG_LEVEL or .env must not change the figures.
  const env: Record<string, string> = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LOG_LEVEL: 'info', LOG_FORMAT: 'pretty', ...options.env };
  if (daemonNodeOptions) env['NODE_OPTIONS'] = daemonNodeOptions;
  const spawnedAt = nowMs();
  const child: ChildProcess = spawn(process.execPath, [MAIN, options.command ?? 'run'], { env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid ?? -1;
  const lines: LogLine[] = [];
  const waiters = new Set<() => void>();
  let exited: number | null | undefined;
  let peak: number | null = null;

  const readPeak = (): void => {
    try {
      const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
      if (Number.isFinite(kb)) peak = Math.max(peak ?? 0, kb);
    } catch {
      // Gone, or no /proc: keep what was seen.
    }
  };
  const sampler = setInterval(readPeak, 100);

  const collect = (stream: NodeJS.ReadableStream | null): void => {
    let rest = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      const at = nowMs();
      for (const text of parts) lines.push({ text, at });
      for (const wake of waiters) wake();
    });
  };
  collect(child.stdout);
  collect(child.stderr);
  const exit = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      clearInterval(sampler);
      exited = code;
      for (const wake of waiters) wake();
      resolve(code);
    });
  });

  return {
    pid,
    spawnedAt,
    lines,
    waitForLine(pattern, timeoutMs, from = 0) {
      return new Promise((resolve, reject) => {
        // Scans each line once: the stand-ins share this process, so the bench must stay cheap.
        let next = from;
        const check = (): void => {
          let found: LogLine | undefined;
          for (; next < lines.length && !found; next++) if (pattern.test(lines[next]!.text)) found = lines[next];
          if (found) return done(() => resolve(found));
          if (exited !== undefined) return done(() => reject(new Error(`the daemon exited (${exited}) before logging ${pattern}:\n${tail(lines)}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`no ${pattern} from the daemon within ${timeoutMs} ms:\n${tail(lines)}`))), timeoutMs);
        const done = (finish: () => void): void => {
          clearTimeout(timer);
          waiters.delete(check);
          finish();
        };
        waiters.add(check);
        check();
      });
    },
    peakRssKb() {
      if (exited === undefined) readPeak();
      return peak;
    },
    async stop(timeoutMs = 30_000) {
      if (exited !== undefined) return exited;
      readPeak();
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exit;
      clearTimeout(timer);
      return code;
    },
  };
}

function tail(lines: readonly LogLine[]): string {
  return lines
    .slice(-10)
    .map((l) => `  ${l.text}`)
    .join('\n');
}
