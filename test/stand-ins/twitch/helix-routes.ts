/**
 * api.twitch.tv/helix stand-in: auth headers, per client+user token bucket with Ratelimit-*
 * headers on every response, then Get Users, Get Chatters and Send Chat Message. Status codes
 * and required scopes follow dev.twitch.tv/docs/api/reference.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { authorizationParts, readBody, sendHelixError, sendJson, type Exchange, type HeaderMap } from './http.js';
import { createEventSubSubscription } from './eventsub/routes.js';
import type { AccessTokenRecord, FakeTwitchState } from './state.js';

const MAX_MESSAGE_LENGTH = 500;
const MAX_USERS_LOOKUP = 100;

interface HelixCall {
  ex: Exchange;
  token: AccessTokenRecord;
  rateHeaders: HeaderMap;
}

export async function handleHelix(state: FakeTwitchState, ex: Exchange): Promise<void> {
  const auth = authorizationParts(ex);
  const clientIdHeader = ex.req.headers['client-id'];
  const anonymousHeaders = state.bucketFor(`client:${String(clientIdHeader ?? '')}`).headers();
  if (!auth || auth.credentials === '') return sendHelixError(ex, 401, 'OAuth token is missing', anonymousHeaders);
  if (auth.scheme.toLowerCase() !== 'bearer') return sendHelixError(ex, 401, 'Invalid OAuth token', anonymousHeaders);
  if (typeof clientIdHeader !== 'string' || clientIdHeader === '') {
    return sendHelixError(ex, 401, 'Client-Id header required', anonymousHeaders);
  }
  const token = state.activeAccessToken(auth.credentials);
  if (!token) return sendHelixError(ex, 401, 'Invalid OAuth token', anonymousHeaders);
  if (token.clientId !== clientIdHeader) {
    return sendHelixError(ex, 401, 'Client ID and OAuth token do not match', anonymousHeaders);
  }

  const bucket = state.bucketFor(`${token.clientId}:${token.userId}`);
  const allowed = bucket.tryTake();
  const rateHeaders = bucket.headers();
  if (!allowed) return sendHelixError(ex, 429, 'Too Many Requests', rateHeaders);
  const injected = state.takeFailure(ex.url.pathname);
  if (injected !== null) return sendHelixError(ex, injected, '', rateHeaders);

  if (state.options.pageLatencyMs > 0) await delay(state.options.pageLatencyMs);
  const call: HelixCall = { ex, token, rateHeaders };
  const route = `${ex.req.method ?? 'GET'} ${ex.url.pathname}`;
  switch (route) {
    case 'GET /helix/users':
      return getUsers(state, call);
    case 'GET /helix/chat/chatters':
      return getChatters(state, call);
    case 'POST /helix/chat/messages':
      return sendChatMessage(state, call);
    case 'GET /helix/moderation/moderators':
      return getRoleMembers(state, call, 'moderation:read', state.moderators);
    case 'GET /helix/channels/vips':
      return getRoleMembers(state, call, 'channel:read:vips', state.vips);
    case 'GET /helix/subscriptions':
      return getRoleMembers(state, call, 'channel:read:subscriptions', state.subscribers);
    case 'POST /helix/eventsub/subscriptions':
      return createEventSubSubscription(state.eventsub, ex, token, rateHeaders);
    default:
      return sendHelixError(ex, 404, 'Not Found', rateHeaders);
  }
}

function fail(call: HelixCall, status: number, message: string): void {
  sendHelixError(call.ex, status, message, call.rateHeaders);
}

function requireScope(call: HelixCall, scope: string): boolean {
  if (call.token.scopes.includes(scope)) return true;
  fail(call, 401, `Missing scope: ${scope}`);
  return false;
}

function getUsers(state: FakeTwitchState, call: HelixCall): void {
  const ids = call.ex.url.searchParams.getAll('id');
  const logins = call.ex.url.searchParams.getAll('login').map((login) => login.toLowerCase());
  if (ids.length + logins.length > MAX_USERS_LOOKUP) {
    return fail(call, 400, 'The request exceeded the maximum allowed number of id and/or login query parameters.');
  }
  const users =
    ids.length + logins.length === 0
      ? [state.users.get(call.token.userId)].filter((user) => user !== undefined)
      : [...state.users.values()].filter((user) => ids.includes(user.id) || logins.includes(user.login));
  sendJson(call.ex, 200, { data: users }, call.rateHeaders);
}

function getChatters(state: FakeTwitchState, call: HelixCall): void {
  const params = call.ex.url.searchParams;
  const broadcasterId = params.get('broadcaster_id');
  if (!broadcasterId) return fail(call, 400, 'Missing required parameter "broadcaster_id"');
  const moderatorId = params.get('moderator_id');
  if (!moderatorId) return fail(call, 400, 'Missing required parameter "moderator_id"');
  const firstParam = params.get('first');
  const first = firstParam === null ? 100 : Number(firstParam);
  if (!Number.isInteger(first) || first < 1 || first > 1000) {
    return fail(call, 400, 'Invalid value for "first": must be between 1 and 1000');
  }
  if (!requireScope(call, 'moderator:read:chatters')) return;
  if (moderatorId !== call.token.userId) {
    return fail(call, 401, 'The ID in moderator_id must match the user ID found in the request\'s OAuth token.');
  }
  if (!state.users.has(broadcasterId) && !state.rosters.has(broadcasterId)) {
    return fail(call, 400, 'The ID in broadcaster_id is not valid.');
  }
  if (!state.isModeratorOf(broadcasterId, moderatorId)) {
    return fail(call, 403, "The user in moderator_id is not one of the broadcaster's moderators.");
  }
  const page = state.rosters.page(broadcasterId, first, params.get('after'));
  if (page === null) return fail(call, 400, 'Invalid value for "after"');
  sendJson(call.ex, 200, page, call.rateHeaders);
}

/** Get Moderators / Get VIPs / Get Broadcaster Subscriptions filtered by user_id (the broadcaster's own token). */
function getRoleMembers(state: FakeTwitchState, call: HelixCall, scope: string, members: Map<string, Set<string>>): void {
  const params = call.ex.url.searchParams;
  const broadcasterId = params.get('broadcaster_id');
  if (!broadcasterId) return fail(call, 400, 'Missing required parameter "broadcaster_id"');
  const userIds = params.getAll('user_id');
  if (userIds.length > MAX_USERS_LOOKUP) return fail(call, 400, 'The maximum number of user_id query parameters is 100.');
  if (!requireScope(call, scope)) return;
  if (broadcasterId !== call.token.userId) {
    return fail(call, 401, "The ID in broadcaster_id must match the user ID found in the request's OAuth token.");
  }
  const set = members.get(broadcasterId) ?? new Set<string>();
  const ids = userIds.length > 0 ? userIds.filter((id) => set.has(id)) : [...set];
  const data = ids.map((id) => {
    const user = state.users.get(id);
    return { user_id: id, user_login: user?.login ?? `user${id}`, user_name: user?.display_name ?? `User${id}` };
  });
  sendJson(call.ex, 200, { data, pagination: {} }, call.rateHeaders);
}

async function sendChatMessage(state: FakeTwitchState, call: HelixCall): Promise<void> {
  const contentType = call.ex.req.headers['content-type'] ?? '';
  if (!contentType.includes('application/json')) return fail(call, 400, 'Content-Type must be application/json');
  let body: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(await readBody(call.ex.req));
    if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
    body = parsed as Record<string, unknown>;
  } catch {
    return fail(call, 400, 'Invalid JSON body');
  }
  const broadcasterId = body.broadcaster_id;
  const senderId = body.sender_id;
  const message = body.message;
  const replyTo = body.reply_parent_message_id;
  if (typeof broadcasterId !== 'string' || broadcasterId === '') {
    return fail(call, 400, 'Missing required parameter "broadcaster_id"');
  }
  if (typeof senderId !== 'string' || senderId === '') return fail(call, 400, 'Missing required parameter "sender_id"');
  if (typeof message !== 'string' || message.trim() === '') return fail(call, 400, 'Missing required parameter "message"');
  if (replyTo !== undefined && typeof replyTo !== 'string') {
    return fail(call, 400, 'The ID in reply_parent_message_id is not valid.');
  }
  if (body.for_source_only !== undefined) {
    return fail(call, 400, 'Cannot set for_source_only if User Access Token is used.');
  }
  if (!requireScope(call, 'user:write:chat')) return;
  if (senderId !== call.token.userId) {
    return fail(call, 401, 'The ID in sender_id must match the user ID in the access token.');
  }
  if (!state.users.has(broadcasterId) && !state.rosters.has(broadcasterId)) {
    return fail(call, 400, 'The ID in broadcaster_id is not valid.');
  }
  // dev.twitch.tv documents "422 Unprocessable Entity: The message is too large."
  if ([...message].length > MAX_MESSAGE_LENGTH) return fail(call, 422, 'The message is too large.');

  const record = {
    broadcasterId,
    senderId,
    message,
    replyParentMessageId: typeof replyTo === 'string' ? replyTo : null,
    at: Date.now(),
  };
  const drop = state.dropQueue.shift();
  if (drop) {
    state.droppedMessages.push({ ...record, dropReason: drop });
    return sendJson(call.ex, 200, { data: [{ message_id: '', is_sent: false, drop_reason: drop }] }, call.rateHeaders);
  }
  const messageId = randomUUID();
  state.sentMessages.push({ messageId, ...record });
  sendJson(call.ex, 200, { data: [{ message_id: messageId, is_sent: true }] }, call.rateHeaders);
}
