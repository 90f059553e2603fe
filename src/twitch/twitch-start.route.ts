/**
 * /auth/twitch/start: the page the bot's /link button opens (security review, issue 10 item 3).
 *
 * GET shows whose Discord server the link is for (its name when the bot told us, and its id) and
 * the scopes asked for, with one button; it changes nothing, so link checkers and prefetchers may
 * load it. The button POSTs the state back here (same origin only: Sec-Fetch-Site or Origin, so
 * another site cannot press it for the person); that binds the link to this browser (a random
 * token in an HttpOnly cookie, its SHA-256 on the link state) and answers 303 to Twitch's
 * authorize URL with force_verify=true. The page shows the server first and then presses the
 * button by itself after a few seconds (one inline script, allowed by its SHA-256 and nothing else,
 * so a browser that does not know our button still gets on; the POST it makes is same-origin like
 * a click). Twitch still asks for consent every time (force_verify). The state is never logged
 * (request logs carry the path only).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import formBody from '@fastify/formbody';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { TwitchLinkError, TwitchNotConfiguredError } from '../errors/domain-errors';
import { pageSecurity } from '../http/content-security';
import { escapeHtml, sendHtml } from '../http/html';
import {
  BINDING_COOKIE,
  bindingCookieOptions,
  CROSS_SITE_EN,
  failurePage,
  INTERNAL_EN,
  languageOf,
  page,
  REASONS_PT,
  serverLabel,
  type Language,
  type LinkPagesDeps,
} from './link/link-pages';
import { START_PATH, type PendingLink } from './link/link.service';

/** What each scope lets the app do, in the person's words. */
const SCOPE_TEXT: Record<Language, Record<string, string>> = {
  pt: {
    'moderator:read:chatters': 'ver a lista de pessoas no seu chat (para sortear entre elas)',
    'user:write:chat': 'enviar mensagens no seu chat em seu nome (o anúncio de cada vencedor)',
    'user:read:chat': 'ler as mensagens do seu chat (para quem entra com a palavra-chave e o resgate)',
    'channel:read:subscriptions': 'ver quem é inscrito no seu canal (sorte extra para inscritos)',
    'channel:read:vips': 'ver os VIPs do seu canal (sorte extra para VIPs)',
    'moderation:read': 'ver os moderadores do seu canal (sorte extra para moderadores)',
  },
  en: {
    'moderator:read:chatters': 'read the list of people in your chat (to draw among them)',
    'user:write:chat': 'send chat messages as you (the announcement of each winner)',
    'user:read:chat': 'read the messages in your chat (who entered with the keyword, claims)',
    'channel:read:subscriptions': "see your channel's subscribers (extra luck for subscribers)",
    'channel:read:vips': "see your channel's VIPs (extra luck for VIPs)",
    'moderation:read': "see your channel's moderators (extra luck for moderators)",
  },
};

const TEXT = {
  pt: {
    title: 'Conectar a Twitch a um servidor do Discord',
    intro: (server: string) => `Este link conecta a conta da Twitch que você aprovar ao servidor do Discord ${server}.`,
    scopes: 'Os sorteios desse servidor vão poder:',
    warning:
      'Se você não usou /iniciar (ou /link) nesse servidor, ou não o conhece, feche esta página: alguém pode estar tentando usar o seu chat.',
    button: 'Continuar na Twitch',
    continues: 'Esta página segue sozinha para a Twitch em alguns segundos.',
  },
  en: {
    title: 'Connect Twitch to a Discord server',
    intro: (server: string) => `This link connects the Twitch account you approve to the Discord server ${server}.`,
    scopes: "That server's raffles will be able to:",
    warning: 'If you did not run /link in that server, or do not know it, close this page: someone may be trying to use your chat.',
    button: 'Continue to Twitch',
    continues: 'This page continues to Twitch by itself in a few seconds.',
  },
} as const;

/** After CONTINUE_AFTER_MS the page presses its own button (a click before that cancels it). */
const CONTINUE_AFTER_MS = 5_000;
const CONTINUE_SCRIPT = `(function () {
  var form = document.getElementById('continue');
  var timer = setTimeout(function () { form.submit(); }, ${CONTINUE_AFTER_MS});
  form.addEventListener('submit', function () { clearTimeout(timer); });
})();`;
/** The only script the start page may run: CONTINUE_SCRIPT, exactly. */
export const CONTINUE_SCRIPT_HASH = `'sha256-${createHash('sha256').update(CONTINUE_SCRIPT, 'utf8').digest('base64')}'`;

/**
 * A fresh nonce per response for the page's stylesheet. helmet's own nonces would add a nonce to
 * script-src as well, and script-src is to hold the one hash only; helmet calls this while it
 * writes the header (onRequest), the handler then reads the same value.
 */
const styleNonces = new WeakMap<IncomingMessage, string>();
function styleNonceDirective(request: IncomingMessage): string {
  const nonce = randomBytes(16).toString('hex');
  styleNonces.set(request, nonce);
  return `'nonce-${nonce}'`;
}
function styleNonceOf(reply: FastifyReply): string {
  const nonce = styleNonces.get(reply.request.raw);
  if (!nonce) throw new Error('the start page has no style nonce (helmet did not run)');
  return nonce;
}

type StartQuery = Partial<Record<'state', unknown>>;
type StartBody = Partial<Record<'state', unknown>> | undefined;

export function twitchStartRoutes({ link, publicUrl, authUrl }: LinkPagesDeps, logger: Logger): FastifyPluginAsync {
  // One script (by its hash); the form may go to ourselves and, by the 303, on to Twitch
  // (form-action covers redirects). Referrer same-origin: the button's POST carries our Origin.
  const security = {
    ...pageSecurity({
      'script-src': [CONTINUE_SCRIPT_HASH],
      'style-src': [styleNonceDirective],
      'form-action': ["'self'", ...(authUrl ? [new URL(authUrl).origin] : [])],
    }),
    referrerPolicy: { policy: 'same-origin' as const },
  };
  return async (app) => {
    await app.register(formBody, { bodyLimit: 4_096 });

    app.get<{ Querystring: StartQuery }>(START_PATH, { helmet: security }, async (request, reply) => {
      const language = languageOf(request);
      const state = typeof request.query.state === 'string' ? request.query.state : null;
      try {
        const pending = await link.describe(state);
        return sendHtml(reply, 200, startPage(language, styleNonceOf(reply), pending, state!));
      } catch (error) {
        return failed(reply, language, error);
      }
    });

    app.post<{ Body: StartBody }>(START_PATH, { helmet: security }, async (request, reply) => {
      const language = languageOf(request);
      if (!fromOurPage(request, publicUrl())) {
        logger.warn({ fetchSite: request.headers['sec-fetch-site'] ?? null }, 'twitch link start pressed from another site');
        const message = language === 'pt' ? REASONS_PT.CROSS_SITE : CROSS_SITE_EN;
        return sendHtml(reply, 403, failurePage(language, styleNonceOf(reply), 'CROSS_SITE', message));
      }
      const state = typeof request.body?.state === 'string' ? request.body.state : null;
      try {
        const bound = await link.bind(state);
        reply.setCookie(BINDING_COOKIE, bound.binding, bindingCookieOptions(publicUrl(), bound.expiresAt));
        return reply.header('cache-control', 'no-store').redirect(bound.authorizeUrl, 303);
      } catch (error) {
        return failed(reply, language, error);
      }
    });

    function failed(reply: FastifyReply, language: Language, error: unknown): FastifyReply {
      const nonce = styleNonceOf(reply);
      if (error instanceof TwitchLinkError) {
        logger.info({ reason: error.reason }, 'twitch link start refused');
        return sendHtml(reply, 400, failurePage(language, nonce, error.reason, language === 'pt' ? REASONS_PT[error.reason] : error.message));
      }
      if (error instanceof TwitchNotConfiguredError) {
        return sendHtml(reply, 400, failurePage(language, nonce, 'NOT_CONFIGURED', language === 'pt' ? REASONS_PT.NOT_CONFIGURED : error.message));
      }
      logger.error({ err: error }, 'twitch link start failed');
      return sendHtml(reply, 500, failurePage(language, nonce, 'INTERNAL', language === 'pt' ? REASONS_PT.INTERNAL : INTERNAL_EN));
    }
  };
}

/**
 * The button was pressed on our page: the browser says the request is same-origin (Sec-Fetch-Site,
 * every current browser), or, where it does not send that, its Origin is ours. A form on another
 * site gets cross-site / its own Origin; a request with neither is refused too.
 */
function fromOurPage(request: FastifyRequest, publicUrl: string): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin';
  return request.headers.origin === new URL(publicUrl).origin;
}

/**
 * The form posts to `start` relative to this page, so a path prefix in PUBLIC_URL still works;
 * the script presses it after a few seconds.
 */
function startPage(language: Language, nonce: string, pending: PendingLink, state: string): string {
  const text = TEXT[language];
  const scopes = pending.scopes
    .map((scope) => `<li>${escapeHtml(SCOPE_TEXT[language][scope] ?? scope)} (<code>${escapeHtml(scope)}</code>)</li>`)
    .join('');
  const body = `<p>${text.intro(serverLabel(pending.guildName, pending.guildId))}</p>
<p>${escapeHtml(text.scopes)}</p>
<ul>${scopes}</ul>
<p>${escapeHtml(text.warning)}</p>
<form id="continue" method="post" action="start">
<input type="hidden" name="state" value="${escapeHtml(state)}">
<button type="submit">${escapeHtml(text.button)}</button>
</form>
<p data-testid="continues">${escapeHtml(text.continues)}</p>
<script>${CONTINUE_SCRIPT}</script>`;
  return page(language, nonce, 'start', text.title, body);
}
