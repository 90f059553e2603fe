// The overlay page: subscribes to the streamer's raffle events with its overlay key and, for each
// win, rolls a reel of names that stops on the winner the server sent, then shows a card. After
// every (re)connection it catches up on wins it missed (roundsSince), deduping by round id. It also
// shows the countdown to the next round, a banner when a raffle starts or ends, and applies the
// streamer's overlay settings (overlay studio), live on every change; a test win from the
// dashboard is shown like a win, marked as a test (it is no round). Runs in OBS browser sources:
// no build step, graphql-ws's browser build is loaded first. A win with a claim window says how to
// claim with a countdown and stays on screen while the claim is pending; a CLAIM event shows it
// claimed or expired (redrawn) on that card.
const ROUND_FIELDS = `id number at outcome eligibleCount item { id name weight } winner { userId login displayName } verifyUrl claim { status deadline }`;
const SETTINGS_FIELDS = `position scale font textColor accentColor backgroundColor language`;
const SHOW_MS = 7000;
const REEL_MS = 2400;
const BANNER_MS = 5000;
const REEL_SIZE = 16;
/** How long a claim's outcome (claimed / expired) stays on its card. */
const CLAIM_RESULT_MS = 3000;
/** A pending card stops waiting this long after the deadline when no CLAIM event came (a missed event). */
const CLAIM_GRACE_MS = 30_000;
// Close codes of the server (src/http/live-connections.ts): the key was rotated or is not valid
// (4403, graphql-ws' Forbidden), or this key has too many live connections (4429).
const FORBIDDEN = 4403;
const TOO_MANY = 4429;

/** CSS for each font OverlaySettings.font may name (local stacks: the page loads no web fonts). */
const FONTS = {
  system: "system-ui, 'Segoe UI', Roboto, sans-serif",
  'sans-serif': "'Helvetica Neue', Arial, 'Liberation Sans', sans-serif",
  serif: "Georgia, 'Times New Roman', 'Liberation Serif', serif",
  monospace: "ui-monospace, 'Cascadia Mono', 'DejaVu Sans Mono', monospace",
  rounded: "ui-rounded, 'Nunito', 'Varela Round', 'Arial Rounded MT Bold', system-ui, sans-serif",
  condensed: "'Arial Narrow', 'Roboto Condensed', 'Liberation Sans Narrow', sans-serif",
};
const POSITIONS = ['TOP_LEFT', 'TOP_RIGHT', 'BOTTOM_LEFT', 'BOTTOM_RIGHT', 'CENTER'];

const streamerId = decodeURIComponent(location.pathname.split('/').filter(Boolean)[1] ?? '');
const params = new URLSearchParams(location.search);
const overlayKey = params.get('key') ?? '';
const debug = params.has('debug');
const TEXT = {
  pt: {
    winner: 'Ganhador do sorteio', test: 'Teste do overlay', drawing: 'Sorteando…', round: 'rodada', among: 'entre', chatters: 'pessoas no chat', verify: 'Confira o sorteio:',
    started: 'Sorteio começou!', ended: 'Sorteio encerrado', next: 'Próximo sorteio em', now: 'Sorteando agora…',
    claimPending: 'digite !resgatar no chat', claimed: '✓ resgatado', claimExpired: 'não resgatado: sorteando de novo',
    revoked: 'Este link do overlay não é mais válido. Copie o novo link do overlay.',
    tooMany: 'Conexões demais com este link do overlay.',
  },
  en: {
    winner: 'Raffle winner', test: 'Overlay test', drawing: 'Drawing…', round: 'round', among: 'among', chatters: 'chatters', verify: 'Check the draw:',
    started: 'Raffle started!', ended: 'Raffle ended', next: 'Next draw in', now: 'Drawing now…',
    claimPending: 'type !claim in chat', claimed: '✓ claimed', claimExpired: 'not claimed: drawing again',
    revoked: 'This overlay link is no longer valid. Copy the new overlay link.',
    tooMany: 'Too many connections with this overlay link.',
  },
};
/** ?lang= (explicit) or the browser's, until the settings (or the streamer's locale) say otherwise. */
let lang = languageOf(params.get('lang') ?? navigator.language ?? 'pt-BR');
let streamerLocale = null;
const text = () => TEXT[lang];

const stage = document.getElementById('stage');
const statusLine = document.getElementById('status');
const banner = document.getElementById('banner');
const countdown = document.getElementById('countdown');
const cardTemplate = document.getElementById('winner-card');
const reelTemplate = document.getElementById('reel');
const shown = new Set();
const queue = [];
let lastSeenId = null;
let showing = false;
let stopped = false;
let reelNames = [];
let nextRoundAt = null;
let bannerTimer = null;
/** The latest claim of each win shown (round id → { status, deadline }), updated by CLAIM events. */
const claims = new Map();

function languageOf(tag) {
  return String(tag).toLowerCase().startsWith('pt') ? 'pt' : 'en';
}

function setState(state, detail = '') {
  document.body.dataset.state = state;
  statusLine.hidden = !debug;
  statusLine.textContent = `${state}${detail ? `: ${detail}` : ''}`;
}

/** A final state shown even outside debug: the page stops trying, the streamer must act. */
function stopWith(state, message) {
  stopped = true;
  document.body.dataset.state = state;
  statusLine.hidden = false;
  statusLine.textContent = message;
}

async function query(document, variables) {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-overlay-key': overlayKey },
    body: JSON.stringify({ query: document, variables }),
  });
  const body = await response.json();
  if (body.errors?.length) {
    const error = new Error(body.errors[0].message);
    error.code = body.errors[0].extensions?.code;
    throw error;
  }
  return body.data;
}

// ---- The look (overlay settings) ----

function applySettings(settings) {
  if (!settings) return;
  const root = document.documentElement.style;
  root.setProperty('--font', FONTS[settings.font] ?? FONTS.system);
  root.setProperty('--text', settings.textColor);
  root.setProperty('--accent', settings.accentColor);
  root.setProperty('--card-bg', settings.backgroundColor);
  root.setProperty('--scale', String(settings.scale));
  document.body.dataset.position = POSITIONS.includes(settings.position) ? settings.position : 'CENTER';
  const language = settings.language ?? streamerLocale;
  if (language) lang = languageOf(language);
  document.documentElement.lang = lang === 'pt' ? 'pt-BR' : 'en';
  renderCountdown();
}

// ---- Wins: a reel, then a card ----

function remember(round) {
  if (lastSeenId === null || Number(round.id) > Number(lastSeenId)) lastSeenId = round.id;
}

function enqueue(round) {
  remember(round);
  if (round.outcome !== 'WINNER' || shown.has(round.id)) return;
  shown.add(round.id);
  queue.push({ kind: 'round', round });
  if (!showing) void showNext();
}

function enqueueTest(testWin) {
  queue.push({ kind: 'test', testWin });
  if (!showing) void showNext();
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function shuffled(values) {
  const copy = [...values];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/** Rolls `names` past the window and stops on `winner` (the last entry). */
async function spin(names, winner) {
  const reel = reelTemplate.content.firstElementChild.cloneNode(true);
  reel.querySelector('.label').textContent = text().drawing;
  const list = reel.querySelector('.names');
  const others = shuffled(names.filter((name) => name && name !== winner));
  // At least a few turns, so even a small chat rolls.
  const filler = others.length > 0 ? others : ['…'];
  const entries = [];
  while (entries.length < 12) entries.push(...filler);
  entries.length = Math.min(entries.length, 24);
  entries.push(winner);
  for (const name of entries) {
    const item = document.createElement('li');
    item.textContent = name;
    list.append(item);
  }
  reel.style.setProperty('--reel-ms', `${REEL_MS}ms`);
  stage.replaceChildren(reel);
  // Next frame: move the list so its last entry (the winner) sits in the window.
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  const rowHeight = list.firstElementChild.getBoundingClientRect().height / (Number(getComputedStyle(reel).zoom) || 1);
  list.style.transform = `translateY(-${(entries.length - 1) * rowHeight}px)`;
  await sleep(REEL_MS + 300);
}

async function showNext() {
  const next = queue.shift();
  if (!next) {
    showing = false;
    return;
  }
  showing = true;
  const winnerName = next.kind === 'round' ? next.round.winner.displayName || next.round.winner.login : next.testWin.winnerDisplayName;
  await spin(next.kind === 'round' ? reelNames : next.testWin.reel, winnerName);
  const card = cardTemplate.content.firstElementChild.cloneNode(true);
  if (next.kind === 'round') {
    const { round } = next;
    card.dataset.roundId = round.id;
    card.querySelector('.label').textContent = text().winner;
    card.querySelector('.winner').textContent = winnerName;
    card.querySelector('.prize').textContent = round.item?.name ?? '';
    card.querySelector('.meta').textContent = `${text().round} ${round.number} · ${text().among} ${round.eligibleCount} ${text().chatters}`;
    // The round's public verify page (Round.verifyUrl), readable on stream without its scheme.
    const verify = document.createElement('a');
    verify.className = 'verify';
    verify.href = round.verifyUrl;
    verify.textContent = `${text().verify} ${round.verifyUrl.replace(/^https?:\/\//, '')}`;
    card.append(verify);
    if (round.claim) {
      claims.set(round.id, claims.get(round.id) ?? round.claim);
      const claim = document.createElement('p');
      claim.className = 'claim';
      claim.dataset.testid = 'overlay-claim';
      card.append(claim);
    }
  } else {
    card.dataset.test = 'true';
    card.querySelector('.label').textContent = text().test;
    card.querySelector('.winner').textContent = winnerName;
    card.querySelector('.prize').textContent = next.testWin.itemName;
    card.querySelector('.meta').remove();
  }
  stage.replaceChildren(card);
  renderClaims();
  if (next.kind === 'round') void refreshReelNames();
  await sleep(queue.length > 0 ? SHOW_MS / 2 : SHOW_MS);
  if (next.kind === 'round' && next.round.claim) await holdForClaim(next.round.id);
  card.classList.add('leaving');
  await sleep(400);
  card.remove();
  void showNext();
}

// ---- Claim windows ----

/** Keeps a pending claim's card up (unless another win waits), then shows how the claim ended. */
async function holdForClaim(roundId) {
  const pending = () => claims.get(roundId)?.status === 'PENDING';
  while (pending() && queue.length === 0 && Date.now() < Date.parse(claims.get(roundId).deadline) + CLAIM_GRACE_MS) await sleep(250);
  if (!pending()) await sleep(CLAIM_RESULT_MS);
}

/** A CLAIM event: the win's claim is now CLAIMED or EXPIRED (the card on screen shows it). */
function onClaim(round) {
  if (!round.claim) return;
  claims.set(round.id, round.claim);
  renderClaims();
}

/** The claim line of the card on screen: how to claim with the time left, or how it ended. */
function renderClaims() {
  for (const line of stage.querySelectorAll('.card .claim')) {
    const claim = claims.get(line.closest('.card').dataset.roundId);
    if (!claim) continue;
    line.dataset.status = claim.status;
    if (claim.status === 'CLAIMED') line.textContent = text().claimed;
    else if (claim.status === 'EXPIRED') line.textContent = text().claimExpired;
    else {
      const seconds = Math.max(0, Math.ceil((Date.parse(claim.deadline) - Date.now()) / 1000));
      line.dataset.seconds = String(seconds);
      line.textContent = `${text().claimPending} · ${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
    }
  }
}

async function refreshReelNames() {
  try {
    const data = await query(`query($id: ID!, $size: Int) { streamer(id: $id) { overlayReelNames(size: $size) } }`, { id: streamerId, size: REEL_SIZE });
    reelNames = data.streamer?.overlayReelNames ?? reelNames;
  } catch {
    // Keep the names we have.
  }
}

// ---- Countdown and banners ----

function setNextRound(raffle) {
  nextRoundAt = raffle && raffle.status === 'RUNNING' && raffle.nextRoundAt ? Date.parse(raffle.nextRoundAt) : null;
  renderCountdown();
}

function renderCountdown() {
  if (nextRoundAt === null) {
    countdown.hidden = true;
    return;
  }
  const seconds = Math.max(0, Math.ceil((nextRoundAt - Date.now()) / 1000));
  countdown.hidden = false;
  countdown.dataset.seconds = String(seconds);
  const clock = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
  countdown.textContent = seconds > 0 ? `${text().next} ${clock}` : text().now;
}

function showBanner(kind) {
  banner.dataset.kind = kind;
  banner.textContent = kind === 'STARTED' ? text().started : text().ended;
  banner.hidden = false;
  clearTimeout(bannerTimer);
  bannerTimer = setTimeout(() => {
    banner.hidden = true;
  }, BANNER_MS);
}

function onRaffleEvent(event) {
  if (event.kind === 'STARTED' || event.kind === 'ENDED') showBanner(event.kind);
  if (event.raffle) setNextRound(event.raffle);
  // CLAIM names an older win again: update it, never show it as a new one.
  if (event.kind === 'CLAIM') {
    if (event.round) onClaim(event.round);
  } else if (event.round) enqueue(event.round);
}

// ---- Loading and live updates ----

/** The newest round so far (opening the overlay does not replay old wins), the settings, the raffle. */
async function loadStartingPoint() {
  const data = await query(
    `query($id: ID!, $size: Int) { streamer(id: $id) {
      locale latestRound { id } overlaySettings { ${SETTINGS_FIELDS} } overlayReelNames(size: $size)
      activeRaffle { id status nextRoundAt }
    } }`,
    { id: streamerId, size: REEL_SIZE },
  );
  lastSeenId = data.streamer?.latestRound?.id ?? '0';
  streamerLocale = data.streamer?.locale ?? null;
  reelNames = data.streamer?.overlayReelNames ?? [];
  applySettings(data.streamer?.overlaySettings);
  setNextRound(data.streamer?.activeRaffle ?? null);
}

/** Wins that happened while the socket was down (or before the subscription started). */
async function catchUp() {
  let more = true;
  while (more) {
    const data = await query(
      `query($id: ID!, $after: ID) { roundsSince(streamerId: $id, afterRoundId: $after, first: 100) { ${ROUND_FIELDS} } }`,
      { id: streamerId, after: lastSeenId },
    );
    data.roundsSince.forEach(enqueue);
    more = data.roundsSince.length === 100;
  }
  const raffle = await query(`query($id: ID!) { streamer(id: $id) { activeRaffle { id status nextRoundAt } } }`, { id: streamerId });
  setNextRound(raffle.streamer?.activeRaffle ?? null);
}

function reportError(error) {
  if (!stopped) setState('error', Array.isArray(error) ? error[0]?.message : String(error?.message ?? error));
}

async function main() {
  if (!streamerId || !overlayKey) {
    setState('error', 'overlay URL without streamer id or key');
    return;
  }
  await loadStartingPoint();
  setInterval(() => {
    renderCountdown();
    renderClaims();
  }, 250);
  const client = graphqlWs.createClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    connectionParams: { overlayKey },
    retryAttempts: Number.POSITIVE_INFINITY,
    // A rotated (or unknown) key stays invalid: stop instead of retrying it forever.
    shouldRetry: (event) => !(event && event.code === FORBIDDEN),
    keepAlive: 15_000,
    on: {
      connected: () => {
        setState('connected');
        catchUp().catch((error) => {
          if (error.code === 'UNAUTHENTICATED') stopWith('revoked', text().revoked);
          else setState('connected', `catch-up failed: ${error.message}`);
        });
      },
      closed: (event) => {
        if (event?.code === FORBIDDEN) {
          stopWith('revoked', text().revoked);
          client.dispose();
        } else if (event?.code === TOO_MANY) stopWith('refused', text().tooMany);
        else if (!stopped) setState('reconnecting', event?.code ? `closed ${event.code}` : '');
      },
    },
  });
  client.subscribe(
    {
      // afterRoundId: the server replays what happened since the starting point once the
      // subscription is live, so nothing falls between loading and subscribing.
      query: `subscription($id: ID!, $after: ID) { raffleEvents(streamerId: $id, afterRoundId: $after) {
        kind raffle { id status nextRoundAt } round { ${ROUND_FIELDS} }
      } }`,
      variables: { id: streamerId, after: lastSeenId },
    },
    {
      next: (result) => {
        const event = result.data?.raffleEvents;
        if (event) onRaffleEvent(event);
      },
      error: reportError,
      complete: () => {
        if (!stopped) setState('closed');
      },
    },
  );
  client.subscribe(
    {
      query: `subscription($id: ID!) { overlayEvents(streamerId: $id) {
        kind settings { ${SETTINGS_FIELDS} } testWin { itemName winnerDisplayName reel }
      } }`,
      variables: { id: streamerId },
    },
    {
      next: (result) => {
        const event = result.data?.overlayEvents;
        if (!event) return;
        applySettings(event.settings);
        if (event.kind === 'TEST_WIN' && event.testWin) enqueueTest(event.testWin);
      },
      error: reportError,
      complete: () => {},
    },
  );
}

main().catch((error) => {
  if (error.code === 'UNAUTHENTICATED') stopWith('revoked', text().revoked);
  else setState('error', error.message);
});
