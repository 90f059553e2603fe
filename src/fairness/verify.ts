import { readBundle } from './bundle-shape';
import { compareUtf8, hexToBytes, sha256Hex } from './bytes';
import { commitHash, entrantsList, itemsList, sourceString, type SourceRef } from './canonical';
import { deriveRound, roundSeed } from './derivation';
import { QUICKNET, chainInfoHash, checkBeacon, roundTimeMs, type ChainInfo } from './drand-chain';
import { randomnessOf, type ProofBundle } from './proof-bundle';

/*
 * The verifier of FAIRNESS.md v1, shared by the CLI and the browser verify page (so: no Node-only
 * imports here or below). It uses only the bundle and the pinned chain: no server is trusted.
 */

export interface Text {
  en: string;
  'pt-BR': string;
}
export type Language = keyof Text;

export type StepId = 'format' | 'items' | 'entrants' | 'commit' | 'published' | 'chain' | 'beacon' | 'timing' | 'seal' | 'draw';

export interface VerifyStep {
  id: StepId;
  ok: boolean;
  title: Text;
  detail: Text;
}

export interface VerifyResult {
  verified: boolean;
  mode: 'drand' | 'sealed' | null;
  steps: VerifyStep[];
  /** The verdict in one sentence, worded for the mode. */
  summary: Text;
  /** What this proof does not show, in words (always said, verified or not). */
  limits: Text[];
}

export interface VerifyOptions {
  /** The chains whose keys are trusted; default: quicknet only. */
  chains?: readonly ChainInfo[];
  /** The commitHash as published before the draw (raffleEvents COMMITTED), when the caller saw it. */
  publishedCommitHash?: string;
}

const TITLES: Record<StepId, Text> = {
  format: { en: 'Proof format (version 1)', 'pt-BR': 'Formato da prova (versão 1)' },
  items: { en: 'Prize list and its hash', 'pt-BR': 'Lista de prêmios e seu hash' },
  entrants: { en: 'Entrant list and its hash', 'pt-BR': 'Lista de participantes e seu hash' },
  commit: { en: 'Commitment (commitHash)', 'pt-BR': 'Compromisso (commitHash)' },
  published: { en: 'Matches the commitment published before the draw', 'pt-BR': 'Confere com o compromisso publicado antes do sorteio' },
  chain: { en: 'drand chain is the pinned one', 'pt-BR': 'A cadeia drand é a fixada' },
  beacon: { en: 'drand beacon signature', 'pt-BR': 'Assinatura do beacon drand' },
  timing: { en: 'Beacon came after the commitment', 'pt-BR': 'O beacon veio depois do compromisso' },
  seal: { en: 'Revealed server seed matches the seal', 'pt-BR': 'A semente revelada confere com o selo' },
  draw: { en: 'Prize and winner recomputed', 'pt-BR': 'Prêmio e ganhador recalculados' },
};

const text = (en: string, ptBR: string): Text => ({ en, 'pt-BR': ptBR });

const LIMITS_SEALED = text(
  'Sealed mode proves only that the draw was not changed after the seal (sealHash) was published. It does NOT prove that the server did not choose the entrants or prizes in advance: the server knew the seed all along, so it could have tried inputs until the result suited it. Only drand mode rules that out.',
  'O modo selado prova apenas que o sorteio não foi alterado depois que o selo (sealHash) foi publicado. Ele NÃO prova que o servidor não escolheu os participantes ou os prêmios de antemão: o servidor conhecia a semente o tempo todo e poderia ter testado entradas até o resultado lhe convir. Só o modo drand descarta isso.',
);
const LIMITS_DRAND = text(
  'committedAt is the server\'s own clock. That the commitment really came before the beacon is shown by the COMMITTED event (raffleEvents) having been seen before the beacon round\'s time; pass its commitHash to check it (CLI: --commit).',
  'committedAt é o relógio do próprio servidor. Que o compromisso veio mesmo antes do beacon é mostrado pelo evento COMMITTED (raffleEvents) visto antes do horário da rodada do beacon; informe o commitHash dele para conferir (CLI: --commit).',
);
const LIMITS_COMMON = text(
  'No proof can show that the entrant list matches who was really in chat: it shows that the lists in this proof were fixed before the randomness and that the result follows from them.',
  'Nenhuma prova mostra que a lista de participantes corresponde a quem estava de fato no chat: ela mostra que as listas desta prova foram fixadas antes da aleatoriedade e que o resultado decorre delas.',
);

const SUMMARY_FAILED = text('NOT VERIFIED: the steps marked ✗ failed.', 'NÃO VERIFICADO: os passos marcados com ✗ falharam.');
const SUMMARY_DRAND = text(
  'VERIFIED (drand): the prize and the winner follow from inputs committed before the public drand randomness existed.',
  'VERIFICADO (drand): o prêmio e o ganhador decorrem de entradas comprometidas antes de existir a aleatoriedade pública do drand.',
);
const SUMMARY_SEALED = text(
  'VERIFIED (sealed): the prize and the winner follow from the committed inputs and the seed sealed when the raffle started (see the limits below).',
  'VERIFICADO (selado): o prêmio e o ganhador decorrem das entradas comprometidas e da semente selada no início do sorteio (veja os limites abaixo).',
);

function step(id: StepId, ok: boolean, detail: Text): VerifyStep {
  return { id, ok, title: TITLES[id], detail };
}

function inCanonicalOrder(ids: string[]): boolean {
  return ids.every((id, i) => i === 0 || compareUtf8(ids[i - 1]!, id) < 0);
}

function listStep(id: 'items' | 'entrants', ids: string[], list: () => string, claimed: string): VerifyStep {
  const what = id === 'items' ? text('prize', 'prêmio') : text('entrant', 'participante');
  if (!inCanonicalOrder(ids)) {
    return step(id, false, text(`The ${what.en} list is not in canonical order (sorted bytewise by id, no repeats).`, `A lista de ${what['pt-BR']}s não está na ordem canônica (ordenada byte a byte pelo id, sem repetições).`));
  }
  let actual: string;
  try {
    actual = sha256Hex(list());
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return step(id, false, text(`The ${what.en} list has no canonical form: ${reason}.`, `A lista de ${what['pt-BR']}s não tem forma canônica: ${reason}.`));
  }
  return actual === claimed
    ? step(id, true, text(`${ids.length} ${what.en} line(s) hash to ${claimed}.`, `${ids.length} linha(s) de ${what['pt-BR']} dão o hash ${claimed}.`))
    : step(id, false, text(`The ${what.en} list hashes to ${actual}, but the proof says ${claimed}.`, `A lista de ${what['pt-BR']}s dá o hash ${actual}, mas a prova diz ${claimed}.`));
}

function sourceRefOf(bundle: ProofBundle): SourceRef {
  return bundle.source.kind === 'drand'
    ? { kind: 'drand', chainHash: bundle.source.chainHash, round: bundle.source.round }
    : { kind: 'sealed', sealHash: bundle.source.sealHash };
}

function commitStep(bundle: ProofBundle): VerifyStep {
  const actual = commitHash({ ...bundle, source: sourceRefOf(bundle) });
  return actual === bundle.commitHash
    ? step('commit', true, text(`Round ${bundle.roundNumber}, ${bundle.forced ? 'forced' : 'scheduled'}, chance ${bundle.chancePpm} ppm, source ${sourceString(sourceRefOf(bundle))}: commitHash ${actual}.`, `Rodada ${bundle.roundNumber}, ${bundle.forced ? 'forçada' : 'agendada'}, chance ${bundle.chancePpm} ppm, fonte ${sourceString(sourceRefOf(bundle))}: commitHash ${actual}.`))
    : step('commit', false, text(`The commitment recomputes to ${actual}, but the proof says ${bundle.commitHash}: some committed field was changed.`, `O compromisso recalculado dá ${actual}, mas a prova diz ${bundle.commitHash}: algum campo comprometido foi alterado.`));
}

function drandSteps(bundle: ProofBundle & { source: { kind: 'drand' } }, chains: readonly ChainInfo[]): VerifyStep[] {
  const { source } = bundle;
  const chain = chains.find((candidate) => candidate.hash === source.chainHash);
  if (!chain || chainInfoHash(chain) !== chain.hash) {
    return [step('chain', false, text(`Chain ${source.chainHash} is not a pinned chain; its beacons cannot be checked.`, `A cadeia ${source.chainHash} não é uma cadeia fixada; seus beacons não podem ser conferidos.`))];
  }
  const steps = [step('chain', true, text(`Chain ${chain.hash} (${chain.beaconId}, every ${chain.period} s), public key pinned.`, `Cadeia ${chain.hash} (${chain.beaconId}, a cada ${chain.period} s), chave pública fixada.`))];
  const { beacon } = source;
  if (!beacon) {
    steps.push(step('beacon', false, text(`No beacon for round ${source.round} in the proof (not drawn yet, or BEACON_UNAVAILABLE: no prize was taken).`, `Nenhum beacon da rodada ${source.round} na prova (ainda não sorteada, ou BEACON_UNAVAILABLE: nenhum prêmio foi entregue).`)));
    return steps;
  }
  if (beacon.round !== source.round) {
    steps.push(step('beacon', false, text(`The beacon is for round ${beacon.round}, but the commitment names round ${source.round}.`, `O beacon é da rodada ${beacon.round}, mas o compromisso indica a rodada ${source.round}.`)));
  } else {
    const check = checkBeacon(chain.publicKey, beacon);
    steps.push(
      check.ok
        ? step('beacon', true, text(`Round ${beacon.round} is signed by the chain's key; randomness = sha256(signature) = ${beacon.randomness}.`, `A rodada ${beacon.round} foi assinada pela chave da cadeia; aleatoriedade = sha256(assinatura) = ${beacon.randomness}.`))
        : step('beacon', false, check.reason === 'bad-randomness'
            ? text('The signature is valid but the randomness is not sha256(signature).', 'A assinatura é válida, mas a aleatoriedade não é sha256(assinatura).')
            : text(`The signature of round ${beacon.round} does not verify against the chain's public key.`, `A assinatura da rodada ${beacon.round} não confere com a chave pública da cadeia.`)),
    );
  }
  const at = roundTimeMs(chain, source.round);
  const committedAt = Date.parse(bundle.committedAt);
  steps.push(
    at > committedAt
      ? step('timing', true, text(`Round ${source.round} was due at ${new Date(at).toISOString()}, after the commitment at ${bundle.committedAt}.`, `A rodada ${source.round} saiu em ${new Date(at).toISOString()}, depois do compromisso em ${bundle.committedAt}.`))
      : step('timing', false, text(`Round ${source.round} was due at ${new Date(at).toISOString()}, not after the commitment at ${bundle.committedAt}: its randomness may have been known.`, `A rodada ${source.round} saiu em ${new Date(at).toISOString()}, não depois do compromisso em ${bundle.committedAt}: sua aleatoriedade podia ser conhecida.`)),
  );
  return steps;
}

function sealStep(bundle: ProofBundle & { source: { kind: 'sealed' } }): VerifyStep {
  const { serverSeed, sealHash } = bundle.source;
  if (serverSeed === null) {
    return step('seal', false, text('The server seed is not revealed yet (it is revealed when the raffle ends).', 'A semente do servidor ainda não foi revelada (ela é revelada quando o sorteio termina).'));
  }
  const actual = sha256Hex(hexToBytes(serverSeed));
  return actual === sealHash
    ? step('seal', true, text(`sha256(serverSeed) = ${sealHash}, the seal published when the raffle started.`, `sha256(serverSeed) = ${sealHash}, o selo publicado quando o sorteio começou.`))
    : step('seal', false, text(`sha256(serverSeed) = ${actual}, not the published seal ${sealHash}.`, `sha256(serverSeed) = ${actual}, não o selo publicado ${sealHash}.`));
}

function drawStep(bundle: ProofBundle): VerifyStep {
  const randomness = randomnessOf(bundle.source, bundle.roundNumber);
  if (!randomness) return step('draw', false, text('No randomness in the proof yet: the draw cannot be recomputed.', 'Ainda não há aleatoriedade na prova: o sorteio não pode ser recalculado.'));
  let derived;
  try {
    derived = deriveRound(roundSeed(randomness, bundle.commitHash), bundle);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return step('draw', false, text(`The draw cannot be recomputed: ${reason}.`, `O sorteio não pode ser recalculado: ${reason}.`));
  }
  const claimed = `${bundle.outcome} item=${bundle.itemId ?? '-'} winner=${bundle.winnerUserId ?? '-'}`;
  const actual = `${derived.outcome} item=${derived.itemId ?? '-'} winner=${derived.winnerUserId ?? '-'}`;
  if (claimed !== actual) {
    return step('draw', false, text(`Recomputed ${actual}, but the proof says ${claimed}.`, `Recalculado: ${actual}, mas a prova diz ${claimed}.`));
  }
  const chance = derived.chanceValue === null ? text('forced round (no chance roll)', 'rodada forçada (sem sorteio de chance)') : text(`chance roll ${derived.chanceValue} < ${bundle.chancePpm}`, `sorteio de chance ${derived.chanceValue} < ${bundle.chancePpm}`);
  if (derived.outcome !== 'WINNER') {
    const why = derived.outcome === 'SKIPPED' ? text(`chance roll ${derived.chanceValue} ≥ ${bundle.chancePpm}`, `sorteio de chance ${derived.chanceValue} ≥ ${bundle.chancePpm}`) : chance;
    return step('draw', true, text(`${derived.outcome}, as recorded (${why.en}).`, `${derived.outcome}, como registrado (${why['pt-BR']}).`));
  }
  return step('draw', true, text(
    `${chance.en}; prize target ${derived.prizeTarget} of ${derived.totalWeight} → item ${derived.itemId}; winner target ${derived.winnerTarget} of ${derived.totalTickets} tickets → ${derived.winnerUserId}. As recorded.`,
    `${chance['pt-BR']}; alvo do prêmio ${derived.prizeTarget} de ${derived.totalWeight} → item ${derived.itemId}; alvo do ganhador ${derived.winnerTarget} de ${derived.totalTickets} bilhetes → ${derived.winnerUserId}. Como registrado.`,
  ));
}

/** Checks every rule of FAIRNESS.md v1 on an untrusted bundle; each step says what it found. */
export function verifyBundle(input: unknown, options: VerifyOptions = {}): VerifyResult {
  const shape = readBundle(input);
  if (!shape.ok) {
    return {
      verified: false,
      mode: null,
      steps: [step('format', false, text(`Not a version 1 proof: ${shape.problem}.`, `Não é uma prova versão 1: ${shape.problem}.`))],
      summary: SUMMARY_FAILED,
      limits: [LIMITS_COMMON],
    };
  }
  const bundle = shape.bundle;
  const steps: VerifyStep[] = [
    step('format', true, text(`Version 1 proof of round ${bundle.roundNumber} (${bundle.source.kind}).`, `Prova versão 1 da rodada ${bundle.roundNumber} (${bundle.source.kind === 'drand' ? 'drand' : 'selado'}).`)),
    listStep('items', bundle.items.map((item) => item.id), () => itemsList(bundle.items), bundle.itemsHash),
    listStep('entrants', bundle.entrants.map((entrant) => entrant.userId), () => entrantsList(bundle.entrants), bundle.entrantsHash),
    commitStep(bundle),
  ];
  if (options.publishedCommitHash !== undefined) {
    steps.push(
      options.publishedCommitHash === bundle.commitHash
        ? step('published', true, text('The commitHash equals the one published before the draw.', 'O commitHash é igual ao publicado antes do sorteio.'))
        : step('published', false, text(`The proof's commitHash ${bundle.commitHash} is not the published ${options.publishedCommitHash}.`, `O commitHash da prova ${bundle.commitHash} não é o publicado ${options.publishedCommitHash}.`)),
    );
  }
  if (bundle.source.kind === 'drand') {
    steps.push(...drandSteps(bundle as ProofBundle & { source: { kind: 'drand' } }, options.chains ?? [QUICKNET]));
  } else {
    steps.push(sealStep(bundle as ProofBundle & { source: { kind: 'sealed' } }));
  }
  steps.push(drawStep(bundle));
  const verified = steps.every((s) => s.ok);
  return {
    verified,
    mode: bundle.source.kind,
    steps,
    summary: !verified ? SUMMARY_FAILED : bundle.source.kind === 'drand' ? SUMMARY_DRAND : SUMMARY_SEALED,
    limits: bundle.source.kind === 'sealed' ? [LIMITS_SEALED, LIMITS_COMMON] : [LIMITS_DRAND, LIMITS_COMMON],
  };
}
