import { createDefaultEsmPreset } from 'ts-jest';

/** ESM + ts-jest (transpile only; `npm run typecheck` does the type checking). */
export default {
  ...createDefaultEsmPreset({ tsconfig: 'tsconfig.test.json' }),
  // Node's environment, plus: a failing test shows what its child processes and daemons printed.
  testEnvironment: '<rootDir>/test/helpers/quiet-environment.mjs',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testTimeout: 60000,
  // Most suites wait on real processes and local servers, not on the CPU: four workers on 2 cores
  // ran the whole suite in 6 minutes where one took 22 (each test asserts what holds in any interleaving).
  maxWorkers: 4,
  // A passing test prints nothing: the quiet reporter keeps a passing file's console output (the
  // daemon's log, figures) out of the log and in test/results/passing-output.log, and prints all
  // of it for a failing file. verbose stays off even for one file, so that output is buffered per
  // file (verbose mode streams it as it comes); 'summary' keeps jest's summary and failure list.
  verbose: false,
  reporters: ['<rootDir>/test/helpers/quiet-reporter.mjs', 'summary'],
};
