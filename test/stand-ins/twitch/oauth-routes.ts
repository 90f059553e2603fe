/**
 * id.twitch.tv/oauth2 stand-in: authorize (the user's click simulated by setConsent), token
 * (authorization_code and refresh_token grants), validate, revoke. Bodies and messages follow
 * dev.twitch.tv/docs/authentication.
 */
import {
  authorizationParts,
  readFormParams,
  redirect,
  sendEmpty,
  sendJson,
  sendOAuthError,
  type Exchange,
} from './http.js';
import type { FakeTwitchState, IssuedTokens } from './state.js';

const REDIRECT_MISMATCH = 'Parameter redirect_uri does not match registered URI';

export async function handleOAuth(state: FakeTwitchState, ex: Exchange): Promise<void> {
  const route = `${ex.req.method ?? 'GET'} ${ex.url.pathname}`;
  switch (route) {
    case 'GET /oauth2/authorize':
      return authorize(state, ex);
    case 'POST /oauth2/token':
      return token(state, ex);
    case 'GET /oauth2/validate':
      return validate(state, ex);
    case 'POST /oauth2/revoke':
      return revoke(state, ex);
    default:
      return sendOAuthError(ex, 404, 'Not Found');
  }
}

function authorize(state: FakeTwitchState, ex: Exchange): void {
  const params = ex.url.searchParams;
  const clientId = params.get('client_id');
  if (!clientId) return sendOAuthError(ex, 400, 'missing client_id');
  if (clientId !== state.options.clientId) return sendOAuthError(ex, 400, 'invalid client');
  const redirectUri = params.get('redirect_uri');
  if (!redirectUri || !redirectUriAllowed(state, redirectUri)) return sendOAuthError(ex, 400, REDIRECT_MISMATCH);
  const responseType = params.get('response_type');
  if (!responseType) return sendOAuthError(ex, 400, 'missing response_type');
  if (responseType !== 'code') return sendOAuthError(ex, 400, 'unsupported response_type');
  const scopeParam = params.get('scope');
  if (scopeParam === null) return sendOAuthError(ex, 400, 'missing scope');
  const requestedScopes = scopeParam.split(' ').filter(Boolean);
  const stateParam = params.get('state');

  const consent = state.takeConsent();
  if (consent === null) return sendOAuthError(ex, 500, 'stand-in: no user to approve; call addUser or setConsent');
  if (!state.users.has(consent.userId)) return sendOAuthError(ex, 500, `stand-in: unknown user ${consent.userId}`);

  const target = new URL(redirectUri);
  if (consent.deny) {
    target.searchParams.set('error', 'access_denied');
    target.searchParams.set('error_description', 'The user denied you access');
  } else {
    const scopes = consent.scopes ?? requestedScopes;
    const code = state.issueCode({ clientId, userId: consent.userId, redirectUri, scopes });
    target.searchParams.set('code', code);
    target.searchParams.set('scope', scopes.join(' '));
  }
  if (stateParam !== null) target.searchParams.set('state', stateParam);
  redirect(ex, target.toString());
}

async function token(state: FakeTwitchState, ex: Exchange): Promise<void> {
  const form = await readFormParams(ex);
  const clientId = form.get('client_id');
  if (!clientId) return sendOAuthError(ex, 400, 'missing client_id');
  if (clientId !== state.options.clientId) return sendOAuthError(ex, 400, 'invalid client');
  const clientSecret = form.get('client_secret');
  if (!clientSecret) return sendOAuthError(ex, 400, 'missing client_secret');
  if (clientSecret !== state.options.clientSecret) return sendOAuthError(ex, 403, 'invalid client secret');
  const grantType = form.get('grant_type');
  if (!grantType) return sendOAuthError(ex, 400, 'missing grant_type');

  if (grantType === 'authorization_code') {
    const codeValue = form.get('code');
    if (!codeValue) return sendOAuthError(ex, 400, 'missing code');
    const redirectUri = form.get('redirect_uri');
    const code = state.codes.get(codeValue);
    if (code && code.redirectUri !== redirectUri) return sendOAuthError(ex, 400, REDIRECT_MISMATCH);
    const taken = state.takeCode(codeValue);
    if (!taken || taken.clientId !== clientId) return sendOAuthError(ex, 400, 'Invalid authorization code');
    return sendTokens(ex, state.issueGrant(clientId, taken.userId, taken.scopes));
  }

  if (grantType === 'refresh_token') {
    const refreshToken = form.get('refresh_token');
    if (!refreshToken) return sendOAuthError(ex, 400, 'missing refresh_token');
    const tokens = state.refreshGrant(refreshToken, clientId);
    if (!tokens) return sendOAuthError(ex, 400, 'Invalid refresh token', true);
    return sendTokens(ex, tokens);
  }

  return sendOAuthError(ex, 400, 'unsupported grant_type');
}

function sendTokens(ex: Exchange, tokens: IssuedTokens): void {
  sendJson(ex, 200, {
    access_token: tokens.accessToken,
    expires_in: tokens.expiresIn,
    refresh_token: tokens.refreshToken,
    scope: tokens.scopes,
    token_type: 'bearer',
  });
}

function validate(state: FakeTwitchState, ex: Exchange): void {
  const auth = authorizationParts(ex);
  if (!auth || auth.scheme.toLowerCase() !== 'oauth' || auth.credentials === '') {
    return sendOAuthError(ex, 401, 'missing authorization token');
  }
  const record = state.activeAccessToken(auth.credentials);
  if (!record) return sendOAuthError(ex, 401, 'invalid access token');
  const user = state.users.get(record.userId);
  sendJson(ex, 200, {
    client_id: record.clientId,
    login: user?.login ?? '',
    scopes: record.scopes,
    user_id: record.userId,
    expires_in: Math.max(0, Math.floor((record.expiresAtMs - Date.now()) / 1000)),
  });
}

async function revoke(state: FakeTwitchState, ex: Exchange): Promise<void> {
  const form = await readFormParams(ex);
  const clientId = form.get('client_id');
  if (!clientId || clientId !== state.options.clientId) return sendOAuthError(ex, 404, 'client does not exist');
  const tokenValue = form.get('token');
  if (!tokenValue || !state.revokeAccessToken(tokenValue, clientId)) {
    return sendOAuthError(ex, 400, 'Invalid token');
  }
  sendEmpty(ex, 200);
}

function redirectUriAllowed(state: FakeTwitchState, redirectUri: string): boolean {
  if (state.options.redirectUris === null) return URL.canParse(redirectUri);
  return state.options.redirectUris.includes(redirectUri);
}
