import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/*
 * The verify page's script: src/verify/browser/main.ts and the verifier it imports
 * (src/fairness/verify.ts, the very module the CLI runs) bundled for the browser by esbuild, once
 * per process and kept in memory. platform 'browser' makes a Node-only import a build error.
 */

const ENTRY = fileURLToPath(new URL('./browser/main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface PageBundle {
  code: string;
  /** Strong validator for conditional requests (the bundle's SHA-256). */
  etag: string;
  /** Subresource Integrity of the script (`sha384-…`). */
  integrity: string;
  /** The source files bundled, relative to the checkout (the browser-safety test reads them). */
  inputs: string[];
}

let bundling: Promise<PageBundle> | undefined;

export function verifyPageBundle(): Promise<PageBundle> {
  bundling ??= bundle().catch((error: unknown) => {
    bundling = undefined; // a failed build is retried on the next request
    throw error;
  });
  return bundling;
}

async function bundle(): Promise<PageBundle> {
  const result = await build({
    entryPoints: [ENTRY],
    absWorkingDir: ROOT,
    metafile: true,
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    // Readable on purpose: whoever doubts the page can read what it ran (legal comments kept).
    minify: false,
    legalComments: 'inline',
    charset: 'utf8',
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.text;
  return {
    code,
    etag: `"${createHash('sha256').update(code).digest('base64url')}"`,
    integrity: `sha384-${createHash('sha384').update(code).digest('base64')}`,
    inputs: Object.keys(result.metafile.inputs).sort(),
  };
}
