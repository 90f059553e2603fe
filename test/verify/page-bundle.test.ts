import { describe, expect, it } from 'vitest';
import { verifyPageBundle } from '../../src/verify/page-bundle';

describe("the verify page's script", () => {
  it('bundles only the pure verifier, the page and @noble/* (nothing of the app, no Node builtins)', async () => {
    const { inputs, code } = await verifyPageBundle();
    expect(inputs).toContain('src/fairness/verify.ts');
    expect(inputs).toContain('src/fairness/drand-chain.ts');
    expect(inputs).toContain('src/verify/browser/main.ts');
    const outside = inputs.filter(
      // (node_modules may be a link elsewhere: its packages are named by the path's end)
      (file) => !/^(src\/fairness\/(?!cli\/)|src\/verify\/browser\/|src\/verify\/verify-url\.ts$)|(^|\/)node_modules\/@noble\//.test(file),
    );
    expect(outside).toEqual([]);
    expect(code).not.toMatch(/\bfrom\s*["']node:|require\(/);
  });

  it('is built once per process', async () => {
    expect(await verifyPageBundle()).toBe(await verifyPageBundle());
  });
});
