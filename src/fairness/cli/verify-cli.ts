import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { chainInfoHash, QUICKNET, type ChainInfo } from '../drand-chain';
import { verifyBundle, type Language, type VerifyResult } from '../verify';

/*
 * `npm run verify -- <file|url>` / `npx kinoyu-verify <file|url>`: checks a proof bundle
 * (FAIRNESS.md v1) and prints each step in words. Exit 0: verified; 1: not verified (or the
 * bundle could not be read); 2: bad usage. A standalone program like the bot, so it takes its
 * language from its own arguments and LANG rather than the server's config module.
 */

export interface CliIo {
  out(line: string): void;
  /** LANG / LC_ALL of the caller, for the default language. */
  locale: string | undefined;
  fetch?: typeof fetch;
}

const USAGE = `usage: kinoyu-verify [--lang en|pt-BR] [--json] [--chain <drand-info.json|url>] [--commit <published commitHash>] <proof.json|url>`;

const WORDS = {
  en: { limits: 'What this does not prove:', unreadable: 'Could not read the proof' },
  'pt-BR': { limits: 'O que isto não prova:', unreadable: 'Não foi possível ler a prova' },
} as const;

function languageOf(flag: string | undefined, locale: string | undefined): Language | null {
  if (flag !== undefined) return flag === 'en' || flag === 'pt-BR' ? flag : null;
  return locale?.toLowerCase().startsWith('pt') ? 'pt-BR' : 'en';
}

async function readSource(source: string, fetchImpl: typeof fetch): Promise<unknown> {
  if (/^https?:\/\//i.test(source)) {
    const response = await fetchImpl(source, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(15_000) });
    if (!response.ok) throw new Error(`HTTP ${response.status} from ${source}`);
    return JSON.parse(await response.text()) as unknown;
  }
  return JSON.parse(await readFile(source, 'utf8')) as unknown;
}

/** A chain given as drand's /info JSON; trusted only if its fields hash to its hash. */
function chainFrom(json: unknown): ChainInfo {
  const info = json as Record<string, unknown>;
  const metadata = (info.metadata ?? {}) as Record<string, unknown>;
  const chain: ChainInfo = {
    hash: String(info.hash),
    publicKey: String(info.public_key),
    genesisTime: Number(info.genesis_time),
    period: Number(info.period),
    groupHash: String(info.groupHash),
    schemeId: String(info.schemeID),
    beaconId: typeof metadata.beaconID === 'string' ? metadata.beaconID : 'default',
  };
  if (chainInfoHash(chain) !== chain.hash) throw new Error('the chain info does not hash to its own hash');
  return chain;
}

export function printResult(result: VerifyResult, language: Language, out: (line: string) => void): void {
  for (const step of result.steps) out(`${step.ok ? '✓' : '✗'} ${step.title[language]}: ${step.detail[language]}`);
  out('');
  out(result.summary[language]);
  out(WORDS[language].limits);
  for (const limit of result.limits) out(`  - ${limit[language]}`);
}

/** Runs the CLI; returns the exit code. */
export async function runVerifyCli(argv: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { lang: { type: 'string' }, json: { type: 'boolean' }, chain: { type: 'string' }, commit: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    io.out(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const language = languageOf(parsed.values.lang, io.locale);
  if (parsed.values.help || parsed.positionals.length !== 1 || language === null) {
    io.out(USAGE);
    return parsed.values.help ? 0 : 2;
  }
  const fetchImpl = io.fetch ?? fetch;
  let bundle: unknown;
  const chains: ChainInfo[] = [QUICKNET];
  try {
    if (parsed.values.chain) chains.push(chainFrom(await readSource(parsed.values.chain, fetchImpl)));
    bundle = await readSource(parsed.positionals[0]!, fetchImpl);
  } catch (error) {
    io.out(`${WORDS[language].unreadable}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const result = verifyBundle(bundle, { chains, ...(parsed.values.commit ? { publishedCommitHash: parsed.values.commit } : {}) });
  if (parsed.values.json) io.out(JSON.stringify(result, null, 2));
  else printResult(result, language, io.out);
  return result.verified ? 0 : 1;
}
