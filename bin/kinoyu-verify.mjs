#!/usr/bin/env node
// The proof verifier CLI (src/fairness/cli/main.ts) from a checkout, run through tsx like the other
// scripts. Without a checkout: packages/kinoyu-verify/kinoyu-verify.mjs is the same program as one
// plain Node file (`npm run verify:build` writes it).
import { register } from 'tsx/esm/api';

register();
await import('../src/fairness/cli/main.ts');
