import { writeFileSync } from 'node:fs';
import * as z from 'zod';
import { configSchema } from './schema.ts';

/** Writes the editor schema referenced by `# yaml-language-server: $schema=...` in config files. */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'jira-sync configuration',
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2] ?? 'jira-sync.config.schema.json';
  writeFileSync(file, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  console.log(`wrote ${file}`);
}
