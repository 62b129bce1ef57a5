import { z } from 'zod';
import { FileConfig } from './schema.js';

/**
 * config/config.schema.json is generated from the zod schema, so editors (yaml-language-server)
 * complete and check exactly the keys the daemon accepts. `npm run schema` rewrites it; a test
 * fails when it is out of date.
 */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(FileConfig, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...schema,
    $id: 'https://github.com/shoprenter-cashman-sync/config.schema.json',
    title: 'shoprenter-cashman-sync config.yaml (version 1)',
  };
}

export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
