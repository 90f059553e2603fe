import { readFile } from 'node:fs/promises';
import { Kind, parse, print, validate, type DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { botSchema, ENV_FILE, renderEnvFile } from '../../clients/discord-bot/graphql/generate-env';

const modules = ['streamers', 'items', 'raffles', 'announcements', 'fragments'] as const;

async function botDocuments(): Promise<Array<{ name: string; document: DocumentNode }>> {
  const found: Array<{ name: string; document: DocumentNode }> = [];
  for (const module of modules) {
    const exports = (await import(`../../clients/discord-bot/graphql/${module}.ts`)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(exports)) {
      const document = value as DocumentNode;
      if (document?.kind === Kind.DOCUMENT) found.push({ name: `${module}.${name}`, document: parse(print(document)) });
    }
  }
  return found;
}

describe('the bot GraphQL documents', () => {
  it('all validate against the server schema', async () => {
    const schema = await botSchema();
    const documents = await botDocuments();
    expect(documents.length).toBeGreaterThan(10);
    for (const { name, document } of documents) {
      if (document.definitions.every((definition) => definition.kind === Kind.FRAGMENT_DEFINITION)) continue;
      expect(validate(schema, document).map((error) => error.message), name).toEqual([]);
    }
  });

  it('graphql-env.d.ts matches schema/schema.graphql (run generate-env.ts when this fails)', async () => {
    expect(await readFile(ENV_FILE, 'utf8')).toBe(await renderEnvFile());
  });
});
