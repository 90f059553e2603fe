// Writes the sorted SDL to schema/schema.graphql (`npm run schema:print`); a test fails when stale.
import { writeFile } from 'node:fs/promises';
import { printSchemaSdl, SCHEMA_FILE } from '../src/graphql/print-schema';

await writeFile(SCHEMA_FILE, printSchemaSdl());
console.log(`wrote ${SCHEMA_FILE}`);
