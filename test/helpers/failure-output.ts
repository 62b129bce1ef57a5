/**
 * Output a test gathers while it runs (a child process's stdout and stderr, the log lines of an
 * in-process daemon), shown only when that test fails: test/helpers/quiet-environment.mjs attaches
 * what each registered source collected during the failing test to its failure message, and the
 * quiet reporter prints a failing file's console output. A passing test prints none of it.
 */
export interface FailureOutput {
  label: string;
  /** The collected chunks, appended to by the helper as output arrives. */
  chunks: readonly string[];
}

const KEY = '__scsFailureOutput';

/** Registers `chunks` (kept by reference: later output counts too) to be shown if the current test fails. */
export function showOnFailure(label: string, chunks: readonly string[]): void {
  const slot = globalThis as unknown as Record<string, FailureOutput[] | undefined>;
  (slot[KEY] ??= []).push({ label, chunks });
}
