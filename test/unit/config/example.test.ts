import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../shared/config/load.ts';
import { configJsonSchema } from '../../../shared/config/write-json-schema.ts';

describe('shipped config files', () => {
  it('the example config is valid', () => {
    expect(loadConfigFile('jira-sync.config.example.yaml').connections).toHaveLength(2);
  });

  it('the committed editor schema matches the zod schema (run `npm run schema` after changing it)', () => {
    const committed: unknown = JSON.parse(readFileSync('jira-sync.config.schema.json', 'utf8'));
    expect(committed).toEqual(configJsonSchema());
  });
});
