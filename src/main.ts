#!/usr/bin/env node
import dotenv from 'dotenv';
import { main } from './cli.js';

// .env beside the program (outside Docker); never overrides variables already set.
dotenv.config({ quiet: true });

// A closed pipe (`status | head -1`) is the reader's choice, not a failure: stop writing quietly
// and let the command finish (a `once` mid-draft must still record what it sent).
const quietOnClosedPipe = (error: NodeJS.ErrnoException): void => {
  if (error.code !== 'EPIPE') throw error;
};
process.stdout.on('error', quietOnClosedPipe);
process.stderr.on('error', quietOnClosedPipe);

/** The bin: `shoprenter-cashman-sync <command>`. Only wiring; everything else is in cli.ts. */
const code = await main(process.argv.slice(2), {
  env: process.env,
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  signals: process,
});
process.exitCode = code;
