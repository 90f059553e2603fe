/**
 * Writes graphql-env.d.ts, the introspection types gql.tada infers the bot's documents from:
 * schema/schema.graphql plus whatever pending-schema.graphql adds that it lacks.
 *
 *   npx tsx clients/discord-bot/graphql/generate-env.ts          (write)
 *   npx tsx clients/discord-bot/graphql/generate-env.ts --check  (exit 1 when stale)
 *
 * test/discord-bot/graphql-documents.test.ts fails when the committed file drifts.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { minifyIntrospection, outputIntrospectionFile } from '@gql.tada/internal';
import {
  buildASTSchema,
  extendSchema,
  introspectionFromSchema,
  Kind,
  parse,
  type DefinitionNode,
  type GraphQLSchema,
  type ObjectTypeExtensionNode,
} from 'graphql';

export const SCHEMA_FILE = fileURLToPath(new URL('../../../schema/schema.graphql', import.meta.url));
export const PENDING_FILE = fileURLToPath(new URL('./pending-schema.graphql', import.meta.url));
export const ENV_FILE = fileURLToPath(new URL('./graphql-env.d.ts', import.meta.url));

/** The server's schema with the pending contract fields it does not have yet. */
export async function botSchema(schemaFile = SCHEMA_FILE): Promise<{ schema: GraphQLSchema; added: string[] }> {
  const schema = buildASTSchema(parse(await readFile(schemaFile, 'utf8')));
  const pending = parse(await readFile(PENDING_FILE, 'utf8'));
  const added: string[] = [];
  const definitions: DefinitionNode[] = [];
  for (const definition of pending.definitions) {
    if (definition.kind === Kind.OBJECT_TYPE_EXTENSION) {
      const existing = schema.getType(definition.name.value);
      const known = existing && 'getFields' in existing ? existing.getFields() : {};
      const fields = (definition.fields ?? []).filter((field) => !(field.name.value in known));
      if (fields.length === 0) continue;
      added.push(...fields.map((field) => `${definition.name.value}.${field.name.value}`));
      definitions.push({ ...definition, fields } satisfies ObjectTypeExtensionNode);
    } else if ('name' in definition && definition.name && !schema.getType(definition.name.value)) {
      added.push(definition.name.value);
      definitions.push(definition);
    }
  }
  const merged = definitions.length ? extendSchema(schema, { kind: Kind.DOCUMENT, definitions }) : schema;
  return { schema: merged, added };
}

export async function renderEnvFile(schemaFile = SCHEMA_FILE): Promise<string> {
  const { schema, added } = await botSchema(schemaFile);
  const introspection = minifyIntrospection(introspectionFromSchema(schema, { descriptions: false }));
  const note = added.length
    ? `/* From schema/schema.graphql plus pending-schema.graphql: ${added.join(', ')}. */\n`
    : '/* From schema/schema.graphql. */\n';
  const output = outputIntrospectionFile(introspection, { fileType: '.d.ts', shouldPreprocess: true });
  // Drop the global `declare module 'gql.tada'` augmentation: graphql.ts passes the introspection
  // to initGraphQLTada, so the bot's schema stays local to the bot.
  const local = output.replace(/\nimport \* as gqlTada from 'gql\.tada';[\s\S]*$/, '\n');
  if (local === output) throw new Error('unexpected gql.tada output: the module augmentation was not found');
  return note + local;
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
