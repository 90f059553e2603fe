/**
 * GET /auth/twitch/callback: where Twitch sends the streamer's browser after the consent page,
 * with `code` and `state`, or `error` (and `error_description`) when they declined. Completes the
 * link through the same service as the completeTwitchLink mutation, with the binding token from
 * the cookie the start page set (twitch-start.route.ts): a browser without it (not the one that
 * pressed the start page's button) gets BROWSER_MISMATCH and nothing is linked. A plain page:
 * 200 when linked (naming the Discord server and the Twitch account), 400 for every expected
 * failure. Nothing from the query is echoed: not the code or
 * state, and not Twitch's `error_description` (anyone can craft that text into a link to our
 * domain); a known `error` code gets our own sentence, any other a generic one.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import { TwitchLinkError, TwitchNotConfiguredError } from '../errors/domain-errors';
import { pageSecurity } from '../http/content-security';
import { escapeHtml, sendHtml } from '../http/html';
import {
  BINDING_COOKIE,
  bindingCookieScope,
  failurePage,
  INTERNAL_EN,
  languageOf,
  page,
  REASONS_PT,
  serverLabel,
  type Language,
  type LinkPagesDeps,
} from './link/link-pages';
import { CALLBACK_PATH } from './link/link.service';
import { DASHBOARD_PATH } from '../sessions/login.routes';

type Sentence = Record<Language, string>;

const DECLINED: Sentence = { en: 'You did not authorize the app on Twitch.', pt: 'Você não autorizou o app na Twitch.' };
const TWITCH_UNAVAILABLE: Sentence = {
  en: 'Twitch could not finish the authorization right now. Try again in a few minutes.',
  pt: 'A Twitch não conseguiu concluir a autorização agora. Tente de novo em alguns minutos.',
};
const REQUEST_REFUSED: Sentence = {
  en: "Twitch refused the authorization request: this server's Twitch app settings need a look.",
  pt: 'A Twitch recusou o pedido de autorização: as configurações do app da Twitch deste servidor precisam de ajuste.',
};
const TWITCH_DECLINED: Sentence = { en: 'Twitch did not authorize the app.', pt: REASONS_PT.TWITCH_ERROR };

/** Our sentence for each OAuth error code Twitch may send back (RFC 6749 §4.1.2.1); others get TWITCH_DECLINED. */
const TWITCH_ERRORS = new Map<string, Sentence>([
  ['access_denied', DECLINED],
  ['invalid_scope', { en: 'Twitch refused the permissions the app asked for.', pt: 'A Twitch recusou as permissões que o app pediu.' }],
  ['server_error', TWITCH_UNAVAILABLE],
  ['temporarily_unavailable', TWITCH_UNAVAILABLE],
  ['invalid_request', REQUEST_REFUSED],
  ['unauthorized_client', REQUEST_REFUSED],
  ['unsupported_response_type', REQUEST_REFUSED],
  ['redirect_mismatch', REQUEST_REFUSED],
]);

/** `server` and `account` are HTML the caller escaped. */
const LINKED = {
  pt: {
    title: 'Conta da Twitch vinculada',
    body: (server: string, account: string) =>
      `Pronto! Os sorteios do servidor do Discord ${server} agora usam o chat de ${account} na Twitch. Pode fechar esta aba.`,
  },
  en: {
    title: 'Twitch account linked',
    body: (server: string, account: string) =>
      `Done! The raffles of the Discord server ${server} now use ${account}'s Twitch chat. You can close this tab.`,
  },
} as const;

/** The page's only resource is its inline stylesheet, allowed by a per-response nonce. */
const CALLBACK_PAGE_SECURITY = pageSecurity({ 'style-src': [] }, { styleNonce: true });

type CallbackQuery = Partial<Record<'code' | 'state' | 'error', unknown>>;

export function twitchCallbackRoutes({ link, publicUrl }: LinkPagesDeps, logger: Logger): FastifyPluginAsync {
  return async (app) => {
    // Link checkers and prefetchers must not spend the single-use state.
    app.head(CALLBACK_PATH, { helmet: CALLBACK_PAGE_SECURITY }, async (_request, reply) => sendHtml(reply, 200, ''));

    app.get<{ Querystring: CallbackQuery }>(
      CALLBACK_PATH,
      { helmet: CALLBACK_PAGE_SECURITY, exposeHeadRoute: false },
      async (request, reply) => {
        const language = languageOf(request);
        const nonce = reply.cspNonce.style;
        const query = request.query;
        if (query.error !== undefined) {
          const code = typeof query.error === 'string' ? query.error : '';
          const sentence = TWITCH_ERRORS.get(code) ?? TWITCH_DECLINED;
          logger.info({ twitchError: TWITCH_ERRORS.has(code) ? code : 'unknown' }, 'twitch link declined at twitch');
          return sendHtml(reply, 400, failurePage(language, nonce, code === 'access_denied' ? 'ACCESS_DENIED' : 'TWITCH_ERROR', sentence[language]));
        }
        try {
          const { streamer, guildName, connectedByPerson } = await link.complete({
            code: stringOrNull(query.code),
            state: stringOrNull(query.state),
            // Only the browser that pressed the start page's button has it (link-pages.ts).
            binding: request.cookies[BINDING_COOKIE] ?? null,
          });
          if (connectedByPerson || streamer.guildId === null) {
            // "Connect my channel" from the dashboard: back to it, the channel now linked.
            reply.clearCookie(BINDING_COOKIE, bindingCookieScope(publicUrl()));
            return reply.header('cache-control', 'no-store').redirect(DASHBOARD_PATH, 303);
          }
          const name = streamer.displayName ?? streamer.login ?? '';
          const account = `<strong>${escapeHtml(name)}</strong>${streamer.login && streamer.login !== name.toLowerCase() ? ` (${escapeHtml(streamer.login)})` : ''}`;
          const text = LINKED[language];
          // The binding did its job.
          reply.clearCookie(BINDING_COOKIE, bindingCookieScope(publicUrl()));
          return sendHtml(reply, 200, page(language, nonce, 'linked', text.title, `<p>${text.body(serverLabel(guildName, streamer.guildId), account)}</p>`));
        } catch (error) {
          if (error instanceof TwitchLinkError) {
            logger.info({ reason: error.reason }, 'twitch link failed');
            return sendHtml(reply, 400, failurePage(language, nonce, error.reason, language === 'pt' ? REASONS_PT[error.reason] : error.message));
          }
          if (error instanceof TwitchNotConfiguredError) {
            return sendHtml(reply, 400, failurePage(language, nonce, 'NOT_CONFIGURED', language === 'pt' ? REASONS_PT.NOT_CONFIGURED : error.message));
          }
          logger.error({ err: error }, 'twitch callback failed');
          return sendHtml(reply, 500, failurePage(language, nonce, 'INTERNAL', language === 'pt' ? REASONS_PT.INTERNAL : INTERNAL_EN));
        }
      },
    );
  };
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
