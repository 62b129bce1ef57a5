import { createDefaultEsmPreset } from 'ts-jest';

/** ESM + ts-jest (transpile only; `npm run typecheck` does the type checking). */
export default {
  ...createDefaultEsmPreset({ tsconfig: 'tsconfig.test.json' }),
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testTimeout: 60000,
  // Most suites wait on real processes and local servers, not on the CPU: four workers on 2 cores
  // ran the whole suite in 6 minutes where one took 22 (each test asserts what holds in any interleaving).
  maxWorkers: 4,
};
