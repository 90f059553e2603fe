import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printSchemaSdl, SCHEMA_FILE } from '../../src/graphql/print-schema';

describe('schema/schema.graphql', () => {
  it('matches the schema the code builds (run `npm run schema:print` after changing types)', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(printSchemaSdl());
  });
});
