/**
 * Writes graphql-env.d.ts, the introspection types gql.tada infers the bot's documents from,
 * out of the server's printed schema (schema/schema.graphql).
 *
 *   npx tsx clients/discord-bot/graphql/generate-env.ts          (write)
 *   npx tsx clients/discord-bot/graphql/generate-env.ts --check  (exit 1 when stale)
 *
 * test/discord-bot/graphql-documents.test.ts fails when the committed file drifts.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { minifyIntrospection, outputIntrospectionFile } from '@gql.tada/internal';
import { buildSchema, introspectionFromSchema, type GraphQLSchema } from 'graphql';

export const SCHEMA_FILE = fileURLToPath(new URL('../../../schema/schema.graphql', import.meta.url));
export const ENV_FILE = fileURLToPath(new URL('./graphql-env.d.ts', import.meta.url));

export async function botSchema(schemaFile = SCHEMA_FILE): Promise<GraphQLSchema> {
  return buildSchema(await readFile(schemaFile, 'utf8'));
}

export async function renderEnvFile(schemaFile = SCHEMA_FILE): Promise<string> {
  const introspection = minifyIntrospection(introspectionFromSchema(await botSchema(schemaFile), { descriptions: false }));
  const output = outputIntrospectionFile(introspection, { fileType: '.d.ts', shouldPreprocess: true });
  // Drop the global `declare module 'gql.tada'` augmentation: graphql.ts passes the introspection
  // to initGraphQLTada, so the bot's schema stays local to the bot.
  const local = output.replace(/\nimport \* as gqlTada from 'gql\.tada';[\s\S]*$/, '\n');
  if (local === output) throw new Error('unexpected gql.tada output: the module augmentation was not found');
  return `/* Generated from schema/schema.graphql by generate-env.ts: do not edit. */\n${local}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rendered = await renderEnvFile();
  if (process.argv.includes('--check')) {
    const current = await readFile(ENV_FILE, 'utf8').catch(() => '');
    if (current !== rendered) {
      console.error('clients/discord-bot/graphql/graphql-env.d.ts is stale: run npx tsx clients/discord-bot/graphql/generate-env.ts');
      process.exit(1);
    }
  } else {
    await writeFile(ENV_FILE, rendered);
    console.log(`wrote ${ENV_FILE}`);
  }
}
