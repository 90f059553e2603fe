// @ts-nocheck
import { createBenchContext } from './lib/context';
import { runFanout } from './fanout/fanout.bench';
const sizes = process.argv.slice(2).map(Number);
const ctx = await createBenchContext(false);
try {
  const r = await runFanout(ctx, { sizes, events: 5, clientProcesses: Number(process.env.CP ?? 3) });
  console.log(JSON.stringify(r, null, 1));
} finally { await ctx.cleanup(); }
process.exit(0);
