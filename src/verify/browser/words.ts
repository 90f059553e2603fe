import type { Language } from '../../fairness/verify';

/** The page's own words (the steps' words come from the verifier itself), pt-BR and English. */
export interface Words {
  pageTitle: string;
  intro: string;
  loading: string;
  notFound: (roundId: string) => string;
  unreadable: (reason: string) => string;
  brokenAt: (step: string) => string;
  pendingSealed: string;
  pendingDrand: (round: number) => string;
  beaconUnavailable: string;
  wrongRound: (asked: string, got: string) => string;
  notVerified: string;
  roundTitle: string;
  facts: { round: string; mode: string; outcome: string; prize: string; winner: string; entrants: string; committedAt: string };
  modeName: { drand: string; sealed: string };
  howDrand: string;
  howSealed: string;
  stepsTitle: string;
  provesTitle: string;
  sealedProves: string;
  drandProves: string;
  limitsTitle: string;
  sealedWhileRunning: string;
  yourselfTitle: string;
  yourself: string;
  rawProof: string;
  ok: string;
  failed: string;
}

export const WORDS: Record<Language, Words> = {
  en: {
    pageTitle: 'Verify a raffle round',
    intro:
      "This page checks, in your own browser, that this round's prize and winner follow from inputs that were fixed before the randomness was known. It downloads the round's proof and recomputes every hash and every draw itself, with the same verifier as the command-line tool; it takes nothing on the server's word.",
    loading: 'Downloading the proof and checking it…',
    notFound: (roundId) => `Round not found: there is no proof for round ${roundId}. Check the link.`,
    unreadable: (reason) => `The proof could not be loaded (${reason}). Nothing was verified.`,
    brokenAt: (step) => `The step that broke: ${step}.`,
    pendingSealed:
      'NOT CHECKABLE YET: this raffle is still running, and the server seed is revealed only when it ends. Until then the draw of this round cannot be checked. Come back after the raffle ends.',
    pendingDrand: (round) => `NOT CHECKABLE YET: the drand beacon of round ${round} is not in the proof yet. Come back in a moment.`,
    beaconUnavailable: 'The drand beacon did not arrive in time: the round was recorded as BEACON_UNAVAILABLE and no prize was taken.',
    wrongRound: (asked, got) => `This page asked for round ${asked}, but the server sent the proof of round ${got}.`,
    notVerified: 'NOT VERIFIED:',
    roundTitle: 'The round',
    facts: { round: 'Round', mode: 'Randomness', outcome: 'Outcome', prize: 'Prize (item id)', winner: 'Winner', entrants: 'Entrants', committedAt: 'Committed at' },
    modeName: { drand: 'drand (public randomness)', sealed: 'sealed (server seed)' },
    howDrand:
      'How it works (drand): before the draw the server committed to the prize list, the entrant list and a future round of the public drand chain. Nobody, the server included, knew that round\'s randomness then; the League of Entropy signed it later. This page checks that signature against the chain\'s pinned public key and recomputes the draw from it.',
    howSealed:
      'How it works (sealed): when the raffle started, the server published only sealHash = SHA-256(serverSeed) and kept the seed secret. Each round committed to its prize and entrant lists; the seed is revealed when the raffle ends. This page checks that the revealed seed matches the seal and recomputes the draw from it.',
    stepsTitle: 'Step by step',
    provesTitle: 'What this proves',
    sealedProves: 'Sealed mode proves that the draw was not changed afterwards: the result follows from the seed sealed when the raffle started and the lists committed before the draw.',
    drandProves: 'drand mode proves that the prize and the winner follow from lists committed before the public randomness existed, so nobody could pick lists that favour anyone.',
    limitsTitle: 'What this does not prove',
    sealedWhileRunning: 'While the raffle runs, the seed is not revealed yet, so the draw cannot be checked yet.',
    yourselfTitle: 'Check it yourself',
    yourself: 'Without this page: download the proof and run the verifier from a checkout of the project (see its README):',
    rawProof: 'The proof (JSON)',
    ok: 'passed',
    failed: 'failed',
  },
  'pt-BR': {
    pageTitle: 'Verificar uma rodada do sorteio',
    intro:
      'Esta página confere, no seu próprio navegador, que o prêmio e o ganhador desta rodada decorrem de entradas fixadas antes de a aleatoriedade ser conhecida. Ela baixa a prova da rodada e recalcula ela mesma cada hash e cada sorteio, com o mesmo verificador da ferramenta de linha de comando; não confia em nada só porque o servidor disse.',
    loading: 'Baixando a prova e conferindo…',
    notFound: (roundId) => `Rodada não encontrada: não há prova para a rodada ${roundId}. Confira o link.`,
    unreadable: (reason) => `Não foi possível carregar a prova (${reason}). Nada foi verificado.`,
    brokenAt: (step) => `O passo que falhou: ${step}.`,
    pendingSealed:
      'AINDA NÃO DÁ PARA CONFERIR: este sorteio ainda está rodando, e a semente do servidor só é revelada quando ele termina. Até lá o sorteio desta rodada não pode ser conferido. Volte depois que o sorteio terminar.',
    pendingDrand: (round) => `AINDA NÃO DÁ PARA CONFERIR: o beacon drand da rodada ${round} ainda não está na prova. Volte daqui a pouco.`,
    beaconUnavailable: 'O beacon drand não chegou a tempo: a rodada foi registrada como BEACON_UNAVAILABLE e nenhum prêmio foi entregue.',
    wrongRound: (asked, got) => `Esta página pediu a rodada ${asked}, mas o servidor enviou a prova da rodada ${got}.`,
    notVerified: 'NÃO VERIFICADO:',
    roundTitle: 'A rodada',
    facts: { round: 'Rodada', mode: 'Aleatoriedade', outcome: 'Resultado', prize: 'Prêmio (id do item)', winner: 'Ganhador', entrants: 'Participantes', committedAt: 'Comprometida em' },
    modeName: { drand: 'drand (aleatoriedade pública)', sealed: 'selado (semente do servidor)' },
    howDrand:
      'Como funciona (drand): antes do sorteio o servidor se comprometeu com a lista de prêmios, a lista de participantes e uma rodada futura da cadeia pública drand. Ninguém, nem o servidor, conhecia a aleatoriedade dessa rodada; a League of Entropy a assinou depois. Esta página confere essa assinatura com a chave pública fixada da cadeia e recalcula o sorteio a partir dela.',
    howSealed:
      'Como funciona (selado): quando o sorteio começou, o servidor publicou só sealHash = SHA-256(serverSeed) e manteve a semente em segredo. Cada rodada se comprometeu com suas listas de prêmios e participantes; a semente é revelada quando o sorteio termina. Esta página confere que a semente revelada bate com o selo e recalcula o sorteio a partir dela.',
    stepsTitle: 'Passo a passo',
    provesTitle: 'O que isto prova',
    sealedProves: 'O modo selado prova que o sorteio não foi alterado depois: o resultado decorre da semente selada no início do sorteio e das listas comprometidas antes do sorteio.',
    drandProves: 'O modo drand prova que o prêmio e o ganhador decorrem de listas comprometidas antes de existir a aleatoriedade pública, então ninguém podia escolher listas que favorecessem alguém.',
    limitsTitle: 'O que isto não prova',
    sealedWhileRunning: 'Enquanto o sorteio roda, a semente ainda não foi revelada, então o sorteio ainda não pode ser conferido.',
    yourselfTitle: 'Confira você mesmo',
    yourself: 'Sem esta página: baixe a prova e rode o verificador a partir de uma cópia do projeto (veja o README):',
    rawProof: 'A prova (JSON)',
    ok: 'passou',
    failed: 'falhou',
  },
};
