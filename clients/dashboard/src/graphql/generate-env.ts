/**
 * Writes the dashboard's typed-schema files out of the server's printed schema
 * (schema/schema.graphql), as the bot does:
 * - graphql-env.d.ts: the introspection types gql.tada infers every document from;
 * - schema-features.ts: which of the server pieces that land separately exist yet (fields and
 *   mutations the dashboard feature-detects), so their panels hide until the schema has them.
 *
 *   npx tsx clients/dashboard/src/graphql/generate-env.ts   (npm run dashboard:graphql)
 *
 * test/dashboard/graphql-documents.test.ts fails when either committed file drifts.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { minifyIntrospection, outputIntrospectionFile } from '@gql.tada/internal';
import { buildSchema, introspectionFromSchema, isInputObjectType, isObjectType, type GraphQLSchema } from 'graphql';

export const SCHEMA_FILE = fileURLToPath(new URL('../../../../schema/schema.graphql', import.meta.url));
export const ENV_FILE = fileURLToPath(new URL('./graphql-env.d.ts', import.meta.url));
export const FEATURES_FILE = fileURLToPath(new URL('./schema-features.ts', import.meta.url));

export async function dashboardSchema(schemaFile = SCHEMA_FILE): Promise<GraphQLSchema> {
  return buildSchema(await readFile(schemaFile, 'utf8'));
}

export async function renderEnvFile(schemaFile = SCHEMA_FILE): Promise<string> {
  const introspection = minifyIntrospection(introspectionFromSchema(await dashboardSchema(schemaFile), { descriptions: false }));
  const output = outputIntrospectionFile(introspection, { fileType: '.d.ts', shouldPreprocess: true });
  const local = output.replace(/\nimport \* as gqlTada from 'gql\.tada';[\s\S]*$/, '\n');
  if (local === output) throw new Error('unexpected gql.tada output: the module augmentation was not found');
  return `/* Generated from schema/schema.graphql by generate-env.ts: do not edit. */\n${local}`;
}

/** `Type.field` or `Type.field(arg)`: present in the schema? */
function has(schema: GraphQLSchema, path: string): boolean {
  const match = /^(\w+)\.(\w+)(?:\((\w+)\))?$/.exec(path);
  if (!match) throw new Error(`bad feature path ${path}`);
  const [, typeName, fieldName, argName] = match;
  const type = schema.getType(typeName!);
  if (!type || !(isObjectType(type) || isInputObjectType(type))) return false;
  const field = type.getFields()[fieldName!];
  if (!field) return false;
  return argName === undefined || ('args' in field && field.args.some((arg) => arg.name === argName));
}

/** The pieces the dashboard turns on when the schema has them (name → schema path). */
export const FEATURE_PATHS = {
  roundsOutcomeFilter: 'Raffle.rounds(outcome)',
  rerollRound: 'Mutation.rerollRound',
  overlaySettings: 'Streamer.overlaySettings',
  updateOverlaySettings: 'Mutation.updateOverlaySettings',
  sendOverlayTestWin: 'Mutation.sendOverlayTestWin',
} as const;

export async function renderFeaturesFile(schemaFile = SCHEMA_FILE): Promise<string> {
  const schema = await dashboardSchema(schemaFile);
  const lines = Object.entries(FEATURE_PATHS).map(([name, path]) => `  /** ${path} */\n  ${name}: ${has(schema, path)},`);
  return `/* Generated from schema/schema.graphql by generate-env.ts: do not edit. */\n/** Which separately landing server pieces the schema has: their panels show only when true. */\nexport const schemaFeatures = {\n${lines.join('\n')}\n} as const;\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await writeFile(ENV_FILE, await renderEnvFile());
  await writeFile(FEATURES_FILE, await renderFeaturesFile());
  console.log(`wrote ${ENV_FILE} and ${FEATURES_FILE}`);
}
