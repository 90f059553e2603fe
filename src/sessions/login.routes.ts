/**
 * Log in with Twitch (the dashboard, issue 11): GET /auth/login, GET /auth/login/callback,
 * POST /auth/logout.
 *
 * The authorization code grant (dev.twitch.tv/docs/authentication/getting-tokens-oauth): `state`
 * is single use, short-lived and bound to the browser by the HttpOnly login cookie. Twitch
 * documents no PKCE (code_challenge) for this grant, so none is sent: the code is exchanged
 * with our client secret, server to server, and the state + cookie binding stop login CSRF.
 * No scopes: identity needs none.
 *
 * Who logged in comes from GET /oauth2/validate on the fresh access token (user_id, login, and
 * the client id, which must be ours) plus Helix Get Users for the display name. We chose that
 * over OIDC ID tokens: no JWKS or JWT verification to keep, and the token comes straight from
 * Twitch over TLS in our own exchange. The token is revoked right after: sessions are ours.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { HelixClient, TwitchAuthClient } from '../twitch/api';
import type { LoginStates } from './login-state';
import { cookieOptions, LOGIN_COOKIE, SESSION_COOKIE } from './session-cookie';
import { SESSION_TTL_MS, type SessionStore } from './session.store';
import { LOGIN_STATE_TTL_MS } from './login-state';

export const LOGIN_PATH = '/auth/login';
export const LOGIN_CALLBACK_PATH = '/auth/login/callback';
export const LOGOUT_PATH = '/auth/logout';
export const DASHBOARD_PATH = '/dashboard';

export interface LoginRouteDeps {
  /** Undefined when Twitch is not configured: login answers 503. */
  twitch: { auth: TwitchAuthClient; helix: HelixClient; clientId: string } | undefined;
  states: LoginStates;
  sessions: SessionStore;
  publicUrl(): string;
  /** The browser-origin allow-list (logout refuses foreign origins). */
  allowsOrigin(origin: string | undefined): boolean;
  logger: Logger;
}

export function loginRoutes(deps: LoginRouteDeps): FastifyPluginAsync {
  const { states, sessions, logger } = deps;
  const redirectUri = () => `${deps.publicUrl()}${LOGIN_CALLBACK_PATH}`;
  return async (app) => {
    app.get(LOGIN_PATH, async (_request, reply) => {
      if (!deps.twitch) return text(reply, 503, 'Log in with Twitch is not configured on this server.');
      const { state, binding } = await states.start();
      reply.setCookie(LOGIN_COOKIE, binding, cookieOptions(deps.publicUrl(), LOGIN_STATE_TTL_MS / 1000));
      return reply.redirect(deps.twitch.auth.authorizeUrl({ redirectUri: redirectUri(), scopes: [], state }), 302);
    });

    app.get<{ Querystring: Record<string, string | undefined> }>(LOGIN_CALLBACK_PATH, async (request, reply) => {
      if (!deps.twitch) return text(reply, 503, 'Log in with Twitch is not configured on this server.');
      const { code, state, error } = request.query;
      const bindingCookie = request.cookies[LOGIN_COOKIE];
      const binding = bindingCookie ? request.unsignCookie(bindingCookie) : undefined;
      reply.clearCookie(LOGIN_COOKIE, { path: '/' });
      const usable = typeof state === 'string' && (await states.consume(state, binding?.valid ? (binding.value ?? undefined) : undefined));
      if (!usable) return text(reply, 400, 'This login link is not valid any more: start again from the dashboard.');
      if (error || typeof code !== 'string' || code === '') return text(reply, 400, 'You did not authorize the app on Twitch.');
      const { auth, helix, clientId } = deps.twitch;
      let person;
      try {
        const tokens = await auth.exchangeCode(code, redirectUri());
        const validation = await auth.validate(tokens.accessToken);
        if (!validation.valid || validation.clientId !== clientId || !validation.userId || !validation.login) {
          return text(reply, 400, 'Twitch did not confirm who you are: try again.');
        }
        const [user] = await helix.getUsers(tokens.accessToken, { ids: [validation.userId] }).catch(() => []);
        person = { twitchUserId: validation.userId, login: validation.login, displayName: user?.displayName ?? validation.login };
        await auth.revoke(tokens.accessToken).catch((err: unknown) => logger.warn({ err }, 'could not revoke the login access token'));
      } catch (err) {
        logger.warn({ err }, 'login with twitch failed');
        return text(reply, 502, 'Twitch could not finish the login right now. Try again in a few minutes.');
      }
      const session = await sessions.create(person);
      logger.info({ twitchUserId: person.twitchUserId, login: person.login }, 'person logged in');
      reply.setCookie(SESSION_COOKIE, session.id, cookieOptions(deps.publicUrl(), SESSION_TTL_MS / 1000));
      return reply.redirect(DASHBOARD_PATH, 302);
    });

    app.post(LOGOUT_PATH, async (request, reply) => {
      if (!deps.allowsOrigin(request.headers.origin)) return text(reply, 403, 'Logout from this origin is not allowed.');
      const raw = request.cookies[SESSION_COOKIE];
      const unsigned = raw ? request.unsignCookie(raw) : undefined;
      if (unsigned?.valid && unsigned.value) await sessions.revoke(unsigned.value);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send();
    });
  };
}

function text(reply: FastifyReply, status: number, message: string) {
  return reply.code(status).type('text/plain; charset=utf-8').send(message);
}
