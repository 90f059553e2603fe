import { cruise, type ICruiseResult, type IForbiddenRuleType } from 'dependency-cruiser';

/**
 * The dependency rules of src/, checked by dependency-cruiser (which reads every import,
 * type-only ones included, and resolves it as TypeScript does):
 *
 * - `twitch-api-standalone`: src/twitch/api/** is a generic Twitch client: it imports node
 *   builtins, npm packages and itself, nothing else of the app (config, db, generated Prisma
 *   types, other features...), so it can be tested and reused on its own.
 * - `twitch-api-through-index`: the rest of the app reaches that client through
 *   src/twitch/api/index.ts only, so its inner files can change without touching callers.
 * - `app-only-from-entry`: src/app/** wires everything together; only src/main.ts and src/app/**
 *   itself may import it (a lower layer that imports the composition root imports everything).
 * - `no-cycles`: no import cycle between files of src/.
 *
 * `root` is the tree's folder relative to `baseDir` ('src' for the real tree; the layering test
 * also runs these rules on small trees of its own to prove that each can fail).
 */
export function layeringRules(root = 'src'): IForbiddenRuleType[] {
  const at = `^${escapeRegExp(root)}/`;
  return [
    {
      name: 'twitch-api-standalone',
      severity: 'error',
      comment: 'src/twitch/api/** imports only node builtins, npm packages and itself',
      from: { path: `${at}twitch/api/` },
      to: {
        pathNot: `${at}twitch/api/`,
        dependencyTypesNot: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-bundled', 'npm-no-pkg'],
      },
    },
    {
      name: 'twitch-api-through-index',
      severity: 'error',
      comment: 'outside src/twitch/api/, import it through its index.ts',
      from: { path: at, pathNot: `${at}twitch/api/` },
      to: { path: `${at}twitch/api/`, pathNot: `${at}twitch/api/index\\.ts$` },
    },
    {
      name: 'app-only-from-entry',
      severity: 'error',
      comment: 'only src/main.ts and src/app/** import src/app/**',
      from: { path: at, pathNot: `${at}(main\\.ts$|app/)` },
      to: { path: `${at}app/` },
    },
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'no import cycles in src/',
      from: { path: at },
      to: { path: at, circular: true },
    },
  ];
}

/** One broken rule as `rule: from -> to` (a cycle: `no-cycles: a -> b -> a`), paths relative to the base directory. */
export type LayeringViolation = `${string}: ${string} -> ${string}`;

/** Checks the tree at `baseDir`/`root` against layeringRules(root); sorted violations, none when clean. */
export async function checkLayering(options: { baseDir: string; root?: string }): Promise<LayeringViolation[]> {
  const root = options.root ?? 'src';
  const result = await cruise(
    [root],
    {
      baseDir: options.baseDir,
      validate: true,
      ruleSet: { forbidden: layeringRules(root) },
      // Type-only imports count: they tie the layers together just the same.
      tsPreCompilationDeps: true,
      // Imports into npm packages and the generated Prisma client are listed, not followed.
      doNotFollow: { path: ['node_modules', `^${escapeRegExp(root)}/generated/`] },
    },
    { extensions: ['.ts', '.mts', '.js', '.mjs', '.json'] },
  );
  const output = result.output as ICruiseResult;
  return output.summary.violations
    .map((violation): LayeringViolation => {
      // A cycle is reported once, from one of its files, with the path that leads back to it.
      const to = violation.cycle ? violation.cycle.map((step) => step.name).join(' -> ') : violation.to;
      return `${violation.rule.name}: ${violation.from} -> ${to}`;
    })
    .sort();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
