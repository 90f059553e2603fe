import { runVerifyCli } from './verify-cli';

/*
 * The verifier as a program: what `npx kinoyu-verify` (bin/kinoyu-verify.mjs, through tsx) and the
 * standalone build (packages/kinoyu-verify/, plain Node, no dependencies) both run.
 */
process.exitCode = await runVerifyCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  locale: process.env.LC_ALL || process.env.LANG,
});
