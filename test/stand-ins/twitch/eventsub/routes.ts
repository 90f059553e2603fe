/**
 * Helix `POST /eventsub/subscriptions` for the WebSocket transport, as
 * dev.twitch.tv/docs/api/reference#create-eventsub-subscription answers it: 202 with the
 * subscription, `total`, `total_cost`, `max_total_cost`; 400 for a bad body or a session that
 * does not exist (or has disconnected); 403 when the token lacks the authorization the type
 * needs; 409 when the same type + version + condition exists already; 429 past the limits
 * ("number of websocket transports limit exceeded" with a 4th session per client and user,
 * 300 enabled subscriptions per session, total cost over 10).
 */
import { randomUUID } from 'node:crypto';
import { readBody, sendHelixError, sendJson, type Exchange, type HeaderMap } from '../http.js';
import type { AccessTokenRecord } from '../state.js';
import type { FakeEventSub, Subscription } from './fake-eventsub.js';

const MAX_TRANSPORTS_PER_USER = 3;
const MAX_SUBSCRIPTIONS_PER_SESSION = 300;
const MAX_TOTAL_COST = 10;

interface TypeRule {
  version: string;
  conditionKeys: string[];
  /** The scope the token's user must have granted, if any. */
  scope: string | null;
  /** Whether condition.user_id must be the token's user. */
  userIsToken: boolean;
}

const TYPES: Record<string, TypeRule> = {
  'channel.chat.message': { version: '1', conditionKeys: ['broadcaster_user_id', 'user_id'], scope: 'user:read:chat', userIsToken: true },
  'channel.shared_chat.begin': { version: '1', conditionKeys: ['broadcaster_user_id'], scope: null, userIsToken: false },
  'channel.shared_chat.update': { version: '1', conditionKeys: ['broadcaster_user_id'], scope: null, userIsToken: false },
  'channel.shared_chat.end': { version: '1', conditionKeys: ['broadcaster_user_id'], scope: null, userIsToken: false },
};

export async function createEventSubSubscription(
  eventsub: FakeEventSub,
  ex: Exchange,
  token: AccessTokenRecord,
  headers: HeaderMap,
): Promise<void> {
  const fail = (status: number, message: string) => sendHelixError(ex, status, message, headers);
  let body: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(await readBody(ex.req));
    if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
    body = parsed as Record<string, unknown>;
  } catch {
    return fail(400, 'Invalid JSON body');
  }
  const { type, version, condition, transport } = body as {
    type?: unknown;
    version?: unknown;
    condition?: Record<string, unknown>;
    transport?: Record<string, unknown>;
  };
  if (typeof type !== 'string' || typeof version !== 'string') return fail(400, 'Missing required parameter "type" or "version"');
  const rule = TYPES[type];
  if (!rule || rule.version !== version) return fail(400, 'unsupported subscription type or version');
  if (typeof condition !== 'object' || condition === null) return fail(400, 'Missing required parameter "condition"');
  for (const key of rule.conditionKeys) {
    if (typeof condition[key] !== 'string' || condition[key] === '') return fail(400, `missing condition field "${key}"`);
  }
  if (typeof transport !== 'object' || transport === null || transport.method !== 'websocket') {
    // Webhook and conduit transports need an app access token; this stand-in only has user tokens.
    return fail(400, 'transport method must be websocket with a user access token');
  }
  const sessionId = transport.session_id;
  if (typeof sessionId !== 'string' || sessionId === '') return fail(400, 'Missing required parameter "transport.session_id"');
  const session = eventsub.session(sessionId);
  if (!session) return fail(400, 'websocket transport session does not exist or has already disconnected');
  if ((rule.scope && !token.scopes.includes(rule.scope)) || (rule.userIsToken && condition.user_id !== token.userId)) {
    return fail(403, 'subscription missing proper authorization');
  }
  const conditionValues: Record<string, string> = {};
  for (const key of rule.conditionKeys) conditionValues[key] = condition[key] as string;

  const mine = [...eventsub.subscriptions.values()].filter((s) => s.clientId === token.clientId && s.userId === token.userId);
  if (mine.some((s) => s.type === type && s.version === version && sameCondition(s.condition, conditionValues))) {
    return fail(409, 'subscription already exists');
  }
  const transports = eventsub.transportsOf(token.clientId, token.userId);
  transports.add(sessionId);
  if (transports.size > MAX_TRANSPORTS_PER_USER) return fail(429, 'number of websocket transports limit exceeded');
  if (session.subscriptionCount >= MAX_SUBSCRIPTIONS_PER_SESSION) return fail(429, 'maximum subscriptions per websocket transport exceeded');
  // A type that needs the user's authorization is free when they gave it; the others cost 1.
  const cost = rule.scope ? 0 : 1;
  const totalCost = mine.reduce((sum, s) => sum + s.cost, 0) + cost;
  if (totalCost > MAX_TOTAL_COST) return fail(429, 'maximum total cost exceeded');

  const subscription: Subscription = {
    id: randomUUID(),
    status: 'enabled',
    type,
    version,
    cost,
    condition: conditionValues,
    transport: { method: 'websocket', session_id: sessionId, connected_at: session.connectedAt },
    created_at: new Date().toISOString(),
    clientId: token.clientId,
    userId: token.userId,
  };
  eventsub.addSubscription(subscription);
  const { clientId: _clientId, userId: _userId, ...data } = subscription;
  sendJson(ex, 202, { data: [data], total: mine.length + 1, total_cost: totalCost, max_total_cost: MAX_TOTAL_COST }, headers);
}

function sameCondition(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) if (a[key] !== b[key]) return false;
  return true;
}
