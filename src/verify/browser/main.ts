/*
 * The verify page in the viewer's browser (GET /verify/<roundId>): it downloads the round's proof
 * from this origin and checks it with src/fairness/verify.ts, the same verifier the CLI runs
 * (bundled by ../page-bundle.ts). Everything untrusted is written with textContent.
 */
import { readBundle } from '../../fairness/bundle-shape';
import { verifyBundle, type Language, type VerifyResult, type VerifyStep } from '../../fairness/verify';
import { proofPath } from '../verify-url';
import { WORDS } from './words';

type State =
  | { kind: 'loading' }
  | { kind: 'not-found' }
  | { kind: 'unreadable'; reason: string }
  | { kind: 'checked'; result: VerifyResult; bundle: unknown; pending: 'sealed' | 'drand' | null; wrongRound: string | null };

const roundId = pathSegment(location.pathname.split('/').filter(Boolean)[1] ?? '');

function pathSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw; // not valid percent-encoding: the proof route answers 404 for it
  }
}
const proofUrl = proofPath(roundId);
// ?commit=<hash>: the commitHash the viewer saw published before the draw (raffleEvents COMMITTED).
const publishedCommitHash = new URLSearchParams(location.search).get('commit') ?? undefined;
let language = initialLanguage();
let state: State = { kind: 'loading' };

function initialLanguage(): Language {
  const asked = new URLSearchParams(location.search).get('lang') ?? navigator.languages?.[0] ?? navigator.language ?? 'pt-BR';
  return asked.toLowerCase().startsWith('pt') ? 'pt-BR' : 'en';
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<Record<string, string>> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) if (value !== undefined) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function byId(id: string): HTMLElement {
  const node = document.getElementById(id);
  if (!node) throw new Error(`#${id} is missing from the page`);
  return node;
}

/** What cannot be checked yet (seed not revealed, beacon not fetched), when nothing else failed. */
function pendingOf(result: VerifyResult, bundle: unknown): 'sealed' | 'drand' | null {
  const shape = readBundle(bundle);
  if (!shape.ok || result.verified) return null;
  const waiting = new Set(['seal', 'beacon', 'draw']);
  if (result.steps.some((step) => !step.ok && !waiting.has(step.id))) return null;
  const { source, outcome } = shape.bundle;
  if (source.kind === 'sealed' && source.serverSeed === null) return 'sealed';
  if (source.kind === 'drand' && source.beacon === null && outcome !== 'BEACON_UNAVAILABLE') return 'drand';
  return null;
}

async function load(): Promise<State> {
  let response: Response;
  try {
    response = await fetch(proofUrl, { headers: { accept: 'application/json' }, cache: 'no-store', credentials: 'omit' });
  } catch (error) {
    return { kind: 'unreadable', reason: error instanceof Error ? error.message : String(error) };
  }
  if (response.status === 404) return { kind: 'not-found' };
  if (!response.ok) return { kind: 'unreadable', reason: `HTTP ${response.status}` };
  let bundle: unknown;
  try {
    bundle = JSON.parse(await response.text());
  } catch {
    return { kind: 'unreadable', reason: 'not JSON' };
  }
  let result: VerifyResult;
  try {
    result = verifyBundle(bundle, publishedCommitHash === undefined ? {} : { publishedCommitHash });
  } catch (error) {
    return { kind: 'unreadable', reason: error instanceof Error ? error.message : String(error) };
  }
  const proofRound = typeof bundle === 'object' && bundle !== null ? (bundle as { roundId?: unknown }).roundId : undefined;
  const wrongRound = typeof proofRound === 'string' && proofRound !== roundId ? proofRound : null;
  return { kind: 'checked', result, bundle, pending: wrongRound ? null : pendingOf(result, bundle), wrongRound };
}

function stepItem(step: VerifyStep): HTMLLIElement {
  const words = WORDS[language];
  return el(
    'li',
    { 'data-testid': 'verify-step', 'data-step': step.id, 'data-ok': String(step.ok), class: step.ok ? 'ok' : 'failed' },
    el('span', { class: 'mark', 'aria-label': step.ok ? words.ok : words.failed }, step.ok ? '✓' : '✗'),
    el('strong', {}, step.title[language]),
    el('p', {}, step.detail[language]),
  );
}

function renderResult(target: HTMLElement): void {
  const words = WORDS[language];
  target.dataset.state = state.kind;
  delete target.dataset.failedStep;
  const verdict = el('p', { class: 'verdict' });
  const lines: HTMLElement[] = [verdict];
  if (state.kind === 'loading') {
    verdict.textContent = words.loading;
    target.removeAttribute('data-verified');
  } else if (state.kind === 'not-found') {
    verdict.textContent = words.notFound(roundId);
    target.dataset.verified = 'false';
  } else if (state.kind === 'unreadable') {
    verdict.textContent = words.unreadable(state.reason);
    target.dataset.verified = 'false';
  } else {
    const { result } = state;
    const verified = result.verified && state.wrongRound === null;
    target.dataset.verified = String(verified);
    if (state.pending) target.dataset.state = 'pending';
    if (state.wrongRound !== null) {
      verdict.textContent = `${words.notVerified} ${words.wrongRound(roundId, state.wrongRound)}`;
      target.dataset.failedStep = 'round';
    } else if (state.pending === 'sealed') {
      verdict.textContent = words.pendingSealed;
    } else if (state.pending === 'drand') {
      const shape = readBundle(state.bundle);
      verdict.textContent = words.pendingDrand(shape.ok && shape.bundle.source.kind === 'drand' ? shape.bundle.source.round : 0);
    } else {
      verdict.textContent = result.summary[language];
      const broken = result.steps.find((step) => !step.ok);
      if (broken) {
        target.dataset.failedStep = broken.id;
        lines.push(el('p', { class: 'broken', 'data-testid': 'verify-broken-step' }, words.brokenAt(broken.title[language])));
      }
      const shape = readBundle(state.bundle);
      if (shape.ok && shape.bundle.outcome === 'BEACON_UNAVAILABLE') lines.push(el('p', {}, words.beaconUnavailable));
    }
  }
  target.replaceChildren(...lines);
}

function renderFacts(target: HTMLElement): void {
  const words = WORDS[language];
  const shape = state.kind === 'checked' ? readBundle(state.bundle) : null;
  target.hidden = !shape?.ok;
  if (!shape?.ok) return target.replaceChildren();
  const b = shape.bundle;
  const winner = b.entrants.find((entrant) => entrant.userId === b.winnerUserId);
  const rows: Array<[string, string]> = [
    [words.facts.round, `${b.roundNumber} (${b.roundId})`],
    [words.facts.mode, words.modeName[b.source.kind]],
    [words.facts.outcome, b.outcome],
    [words.facts.prize, b.itemId ?? '—'],
    [words.facts.winner, winner ? `${winner.login} (${winner.userId})` : (b.winnerUserId ?? '—')],
    [words.facts.entrants, String(b.entrants.length)],
    [words.facts.committedAt, b.committedAt],
  ];
  target.replaceChildren(
    el('h2', {}, words.roundTitle),
    el('dl', {}, ...rows.flatMap(([name, value]) => [el('dt', {}, name), el('dd', {}, value)])),
    el('p', { class: 'how' }, b.source.kind === 'drand' ? words.howDrand : words.howSealed),
  );
}

function renderSteps(target: HTMLElement): void {
  target.hidden = state.kind !== 'checked';
  if (state.kind !== 'checked') return target.replaceChildren();
  target.replaceChildren(el('h2', {}, WORDS[language].stepsTitle), el('ol', { class: 'steps' }, ...state.result.steps.map(stepItem)));
}

function renderLimits(target: HTMLElement): void {
  const words = WORDS[language];
  // Said whatever the outcome: a sealed or not-yet-loaded proof gets the sealed limits too.
  const mode = state.kind === 'checked' ? state.result.mode : null;
  const proves = mode === 'drand' ? [words.drandProves] : mode === 'sealed' ? [words.sealedProves] : [words.sealedProves, words.drandProves];
  const limits = state.kind === 'checked' ? state.result.limits.map((limit) => limit[language]) : [];
  if (mode !== 'drand') limits.push(words.sealedWhileRunning);
  target.replaceChildren(
    el('h2', {}, words.provesTitle),
    el('ul', {}, ...proves.map((line) => el('li', {}, line))),
    el('h2', {}, words.limitsTitle),
    el('ul', { 'data-testid': 'verify-limits' }, ...limits.map((line) => el('li', {}, line))),
  );
}

function renderYourself(target: HTMLElement): void {
  const words = WORDS[language];
  const absolute = new URL(proofUrl, location.origin).href;
  target.replaceChildren(
    el('h2', {}, words.yourselfTitle),
    el('p', {}, words.yourself),
    el('pre', {}, el('code', {}, `npx kinoyu-verify --lang ${language}${publishedCommitHash ? ` --commit ${publishedCommitHash}` : ''} ${absolute}`)),
    el('p', {}, el('a', { href: proofUrl, 'data-testid': 'verify-proof-link' }, words.rawProof)),
  );
}

function render(): void {
  const words = WORDS[language];
  document.documentElement.lang = language;
  document.title = words.pageTitle;
  byId('title').textContent = words.pageTitle;
  byId('intro').textContent = words.intro;
  for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-lang]')) {
    button.setAttribute('aria-pressed', String(button.dataset.lang === language));
  }
  renderResult(byId('result'));
  renderFacts(byId('facts'));
  renderSteps(byId('steps'));
  renderLimits(byId('limits'));
  renderYourself(byId('yourself'));
}

for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-lang]')) {
  button.addEventListener('click', () => {
    language = button.dataset.lang === 'en' ? 'en' : 'pt-BR';
    const url = new URL(location.href);
    url.searchParams.set('lang', language);
    history.replaceState(null, '', url);
    render();
  });
}

render();
state = await load();
render();
