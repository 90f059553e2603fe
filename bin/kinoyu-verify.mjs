#!/usr/bin/env node
// The proof verifier CLI (src/fairness/cli/verify-cli.ts), run through tsx like the other scripts.
import { register } from 'tsx/esm/api';

register();
const { runVerifyCli } = await import('../src/fairness/cli/verify-cli.ts');
process.exitCode = await runVerifyCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  locale: process.env.LC_ALL || process.env.LANG,
});
