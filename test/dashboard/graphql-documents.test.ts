import { readFile } from 'node:fs/promises';
import { Kind, parse, print, validate, type DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  dashboardSchema,
  ENV_FILE,
  FEATURE_PATHS,
  FEATURES_FILE,
  renderEnvFile,
  renderFeaturesFile,
} from '../../clients/dashboard/src/graphql/generate-env';
import { schemaFeatures } from '../../clients/dashboard/src/graphql/schema-features';

const MODULES: Record<string, () => Promise<Record<string, unknown>>> = {
  'session/session.documents': () => import('../../clients/dashboard/src/features/session/session.documents'),
  'streamers/streamer.documents': () => import('../../clients/dashboard/src/features/streamers/streamer.documents'),
  'items/item.documents': () => import('../../clients/dashboard/src/features/items/item.documents'),
  'raffle/raffle.documents': () => import('../../clients/dashboard/src/features/raffle/raffle.documents'),
  'history/history.documents': () => import('../../clients/dashboard/src/features/history/history.documents'),
  'stats/stats.documents': () => import('../../clients/dashboard/src/features/stats/stats.documents'),
  'overlay-studio/overlay.documents': () => import('../../clients/dashboard/src/features/overlay-studio/overlay.documents'),
};

/**
 * Documents the dashboard sends only once the schema has their feature (schemaFeatures); each
 * must validate as soon as its feature is on.
 */
const GUARDED: Record<string, keyof typeof FEATURE_PATHS> = {
  'raffle/raffle.documents.RerollRound': 'rerollRound',
  'history/history.documents.RoundsPageByOutcome': 'roundsOutcomeFilter',
  'overlay-studio/overlay.documents.OverlaySettingsQuery': 'overlaySettings',
  'overlay-studio/overlay.documents.UpdateOverlaySettings': 'updateOverlaySettings',
  'overlay-studio/overlay.documents.SendOverlayTestWin': 'sendOverlayTestWin',
};

async function dashboardDocuments(): Promise<Array<{ name: string; document: DocumentNode }>> {
  const found: Array<{ name: string; document: DocumentNode }> = [];
  for (const [module, load] of Object.entries(MODULES)) {
    const exports = await load();
    for (const [name, value] of Object.entries(exports)) {
      const document = value as DocumentNode;
      if (document?.kind === Kind.DOCUMENT) found.push({ name: `${module}.${name}`, document: parse(print(document)) });
    }
  }
  return found;
}

describe('the dashboard GraphQL documents', () => {
  it('validate against the server schema, except those whose feature the schema lacks (never sent then)', async () => {
    const schema = await dashboardSchema();
    const documents = await dashboardDocuments();
    expect(documents.length).toBeGreaterThan(15);
    const names = documents.map((entry) => entry.name);
    for (const guarded of Object.keys(GUARDED)) expect(names).toContain(guarded);
    for (const { name, document } of documents) {
      if (document.definitions.every((definition) => definition.kind === Kind.FRAGMENT_DEFINITION)) continue;
      const errors = validate(schema, document).map((error) => error.message);
      const feature = GUARDED[name];
      if (feature && !schemaFeatures[feature]) {
        expect(errors.length, `${name} should need ${FEATURE_PATHS[feature]}`).toBeGreaterThan(0);
        continue;
      }
      expect(errors, name).toEqual([]);
    }
  });

  it('graphql-env.d.ts and schema-features.ts match schema/schema.graphql (npm run dashboard:graphql when this fails)', async () => {
    expect(await readFile(ENV_FILE, 'utf8')).toBe(await renderEnvFile());
    expect(await readFile(FEATURES_FILE, 'utf8')).toBe(await renderFeaturesFile());
  });
});
