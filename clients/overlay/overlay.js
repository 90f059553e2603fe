// The overlay page: subscribes to the streamer's raffle events with its overlay key, shows a card
// per win, and after every (re)connection catches up on wins it missed (roundsSince), deduping by
// round id. Runs in OBS browser sources: no build step, graphql-ws's browser build is loaded first.
const ROUND_FIELDS = `id number at outcome eligibleCount item { id name weight } winner { userId login displayName } verifyUrl`;
const SHOW_MS = 7000;
// Close codes of the server (src/http/live-connections.ts): the key was rotated or is not valid
// (4403, graphql-ws' Forbidden), or this key has too many live connections (4429).
const FORBIDDEN = 4403;
const TOO_MANY = 4429;

const streamerId = decodeURIComponent(location.pathname.split('/').filter(Boolean)[1] ?? '');
const params = new URLSearchParams(location.search);
const overlayKey = params.get('key') ?? '';
const debug = params.has('debug');
const lang = (params.get('lang') ?? navigator.language ?? 'pt-BR').toLowerCase().startsWith('pt') ? 'pt' : 'en';
const text = {
  pt: {
    winner: 'Ganhador do sorteio', round: 'rodada', among: 'entre', chatters: 'pessoas no chat', verify: 'Confira o sorteio:',
    revoked: 'Este link do overlay não é mais válido. Copie o novo link do overlay.',
    tooMany: 'Conexões demais com este link do overlay.',
  },
  en: {
    winner: 'Raffle winner', round: 'round', among: 'among', chatters: 'chatters', verify: 'Check the draw:',
    revoked: 'This overlay link is no longer valid. Copy the new overlay link.',
    tooMany: 'Too many connections with this overlay link.',
  },
}[lang];

const stage = document.getElementById('stage');
const statusLine = document.getElementById('status');
const template = document.getElementById('winner-card');
const shown = new Set();
const queue = [];
let lastSeenId = null;
let showing = false;

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
let stopped = false;

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

function remember(round) {
  if (lastSeenId === null || Number(round.id) > Number(lastSeenId)) lastSeenId = round.id;
}

function enqueue(round) {
  remember(round);
  if (round.outcome !== 'WINNER' || shown.has(round.id)) return;
  shown.add(round.id);
  queue.push(round);
  if (!showing) void showNext();
}

async function showNext() {
  const round = queue.shift();
  if (!round) {
    showing = false;
    return;
  }
  showing = true;
  const card = template.content.firstElementChild.cloneNode(true);
  card.dataset.roundId = round.id;
  card.querySelector('.label').textContent = text.winner;
  card.querySelector('.winner').textContent = round.winner.displayName || round.winner.login;
  card.querySelector('.prize').textContent = round.item?.name ?? '';
  card.querySelector('.meta').textContent = `${text.round} ${round.number} · ${text.among} ${round.eligibleCount} ${text.chatters}`;
  // The round's public verify page (Round.verifyUrl), readable on stream without its scheme.
  const verify = document.createElement('a');
  verify.className = 'verify';
  verify.href = round.verifyUrl;
  verify.textContent = `${text.verify} ${round.verifyUrl.replace(/^https?:\/\//, '')}`;
  card.append(verify);
  stage.replaceChildren(card);
  await new Promise((resolve) => setTimeout(resolve, queue.length > 0 ? SHOW_MS / 2 : SHOW_MS));
  card.classList.add('leaving');
  await new Promise((resolve) => setTimeout(resolve, 400));
  card.remove();
  void showNext();
}

/** The newest round so far: opening the overlay does not replay old wins. */
async function loadStartingPoint() {
  const data = await query(`query($id: ID!) { streamer(id: $id) { latestRound { id } } }`, { id: streamerId });
  lastSeenId = data.streamer?.latestRound?.id ?? '0';
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
}

async function main() {
  if (!streamerId || !overlayKey) {
    setState('error', 'overlay URL without streamer id or key');
    return;
  }
  await loadStartingPoint();
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
          if (error.code === 'UNAUTHENTICATED') stopWith('revoked', text.revoked);
          else setState('connected', `catch-up failed: ${error.message}`);
        });
      },
      closed: (event) => {
        if (event?.code === FORBIDDEN) {
          stopWith('revoked', text.revoked);
          client.dispose();
        } else if (event?.code === TOO_MANY) stopWith('refused', text.tooMany);
        else if (!stopped) setState('reconnecting', event?.code ? `closed ${event.code}` : '');
      },
    },
  });
  client.subscribe(
    {
      // afterRoundId: the server replays what happened since the starting point once the
      // subscription is live, so nothing falls between loading and subscribing.
      query: `subscription($id: ID!, $after: ID) { raffleEvents(streamerId: $id, afterRoundId: $after) { kind round { ${ROUND_FIELDS} } } }`,
      variables: { id: streamerId, after: lastSeenId },
    },
    {
      next: (result) => {
        const round = result.data?.raffleEvents?.round;
        if (round) enqueue(round);
      },
      error: (error) => {
        if (!stopped) setState('error', Array.isArray(error) ? error[0]?.message : String(error?.message ?? error));
      },
      complete: () => {
        if (!stopped) setState('closed');
      },
    },
  );
}

main().catch((error) => {
  if (error.code === 'UNAUTHENTICATED') stopWith('revoked', text.revoked);
  else setState('error', error.message);
});
