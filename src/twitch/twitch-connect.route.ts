/**
 * GET /auth/twitch/connect: "connect my channel" on the dashboard. Needs a live session (else a
 * redirect to /auth/login); starts the Twitch link flow for the logged-in person's own channel,
 * bound to this browser (the binding cookie, as the start page sets it) and to their Twitch
 * account, and redirects to Twitch's consent page (force_verify). Twitch comes back to the usual
 * callback, which completes the link (creating their Twitch-only streamer when they have none)
 * and redirects to /dashboard; another Twitch account than the logged-in one gets a clear error
 * page (WRONG_ACCOUNT) and links nothing.
 *
 * A navigation from another site (Sec-Fetch-Site cross-site / same-site) is refused: the
 * dashboard's button is same-origin, a typed URL or bookmark is `none`.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import { TwitchNotConfiguredError } from '../errors/domain-errors';
import { pageSecurity } from '../http/content-security';
import { sendHtml } from '../http/html';
import { LOGIN_PATH } from '../sessions/login.routes';
import { BINDING_COOKIE, bindingCookieOptions, CROSS_SITE_EN, failurePage, INTERNAL_EN, languageOf, REASONS_PT } from './link/link-pages';
import type { TwitchLinkService } from './link/link.service';

export const CONNECT_PATH = '/auth/twitch/connect';

const CONNECT_PAGE_SECURITY = pageSecurity({ 'style-src': [] }, { styleNonce: true });

export interface ConnectRouteDeps {
  link: TwitchLinkService;
  publicUrl(): string;
  /** The Twitch user id of the live dashboard session in this `Cookie` header, or null. */
  personOf(cookieHeader: string | undefined): Promise<string | null>;
}

export function twitchConnectRoutes(deps: ConnectRouteDeps, logger: Logger): FastifyPluginAsync {
  return async (app) => {
    app.get(CONNECT_PATH, { helmet: CONNECT_PAGE_SECURITY, exposeHeadRoute: false }, async (request, reply) => {
      const language = languageOf(request);
      const nonce = reply.cspNonce.style;
      const site = request.headers['sec-fetch-site'];
      if (site === 'cross-site' || site === 'same-site') {
        logger.warn({ fetchSite: site }, 'twitch connect opened from another site');
        return sendHtml(reply, 403, failurePage(language, nonce, 'CROSS_SITE', language === 'pt' ? REASONS_PT.CROSS_SITE : CROSS_SITE_EN));
      }
      const twitchUserId = await deps.personOf(request.headers.cookie);
      if (twitchUserId === null) return reply.header('cache-control', 'no-store').redirect(LOGIN_PATH, 302);
      try {
        const bound = await deps.link.startForPerson(twitchUserId);
        reply.setCookie(BINDING_COOKIE, bound.binding, bindingCookieOptions(deps.publicUrl(), bound.expiresAt));
        logger.info({ twitchUserId }, 'twitch connect started from the dashboard');
        return reply.header('cache-control', 'no-store').redirect(bound.authorizeUrl, 302);
      } catch (error) {
        if (error instanceof TwitchNotConfiguredError) {
          return sendHtml(reply, 503, failurePage(language, nonce, 'NOT_CONFIGURED', language === 'pt' ? REASONS_PT.NOT_CONFIGURED : error.message));
        }
        logger.error({ err: error }, 'twitch connect failed to start');
        return sendHtml(reply, 500, failurePage(language, nonce, 'INTERNAL', language === 'pt' ? REASONS_PT.INTERNAL : INTERNAL_EN));
      }
    });
  };
}
