import { registerCommand } from '../cli.js';
import { demoCommand } from './demo.js';
import { previewCommand } from './preview.js';

/** Commands that need the remote adapters or stand-ins register here, so cli.ts stays small. */
registerCommand('preview', (ctx, positionals, flags) => previewCommand(ctx, positionals[0], flags.json));
registerCommand('demo', (ctx) => demoCommand(ctx));
