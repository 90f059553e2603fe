/**
 * GET /auth/twitch/callback: where Twitch sends the streamer's browser after the consent page,
 * with `code` and `state`, or `error` (and `error_description`) when they declined. Completes the
 * link through the same service as the completeTwitchLink mutation and shows a plain page: 200
 * when linked, 400 for every expected failure. Nothing from the query is echoed: not the code or
 * state, and not Twitch's `error_description` (anyone can craft that text into a link to our
 * domain); a known `error` code gets our own sentence, any other a generic one.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { TwitchLinkError, TwitchNotConfiguredError } from '../errors/domain-errors';
import { pageSecurity } from '../http/content-security';
import { escapeHtml, sendHtml } from '../http/html';
import { CALLBACK_PATH, type TwitchLinkService } from './link/link.service';

type Language = 'pt' | 'en';
type Reason = TwitchLinkError['reason'] | 'NOT_CONFIGURED' | 'TWITCH_ERROR' | 'INTERNAL';

const REASONS_PT: Record<Reason, string> = {
  INVALID_STATE: 'Este link não é válido.',
  EXPIRED_STATE: 'Este link expirou (vale por 10 minutos).',
  USED_STATE: 'Este link já foi usado.',
  GUILD_MISMATCH: 'Este link foi criado para outro servidor ou outra pessoa do Discord.',
  ACCESS_DENIED: 'A Twitch não autorizou o acesso.',
  EXCHANGE_FAILED: 'A Twitch não confirmou a autorização.',
  MISSING_SCOPES: 'Faltaram permissões: aprove todas as permissões pedidas.',
  ALREADY_LINKED_ELSEWHERE: 'Esta conta da Twitch já está vinculada a outro servidor do Discord: desvincule lá primeiro.',
  NOT_CONFIGURED: 'Este servidor não tem a integração com a Twitch configurada.',
  TWITCH_ERROR: 'A Twitch não autorizou o acesso.',
  INTERNAL: 'Algo deu errado do nosso lado.',
};

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

const TEXT = {
  pt: {
    linkedTitle: 'Conta da Twitch vinculada',
    linked: (name: string) => `Pronto! O sorteio deste servidor do Discord agora usa o chat de <strong>${name}</strong> na Twitch. Pode fechar esta aba.`,
    failedTitle: 'Não foi possível vincular a Twitch',
    again: 'Use /iniciar (ou /link) no Discord para tentar de novo.',
  },
  en: {
    linkedTitle: 'Twitch account linked',
    linked: (name: string) => `Done! This Discord server's raffles now use <strong>${name}</strong>'s Twitch chat. You can close this tab.`,
    failedTitle: 'Could not link Twitch',
    again: 'Use /link in Discord to try again.',
  },
} as const;

/** The page's only resource is its inline stylesheet, allowed by a per-response nonce. */
const CALLBACK_PAGE_SECURITY = pageSecurity({ 'style-src': [] }, { styleNonce: true });

type CallbackQuery = Partial<Record<'code' | 'state' | 'error', unknown>>;

export function twitchCallbackRoutes(link: TwitchLinkService, logger: Logger): FastifyPluginAsync {
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
          const streamer = await link.complete({ code: stringOrNull(query.code), state: stringOrNull(query.state) });
          const name = escapeHtml(streamer.displayName ?? streamer.login ?? '');
          const text = TEXT[language];
          return sendHtml(reply, 200, page(language, nonce, 'linked', text.linkedTitle, `<p>${text.linked(name)}</p>`));
        } catch (error) {
          if (error instanceof TwitchLinkError) {
            logger.info({ reason: error.reason }, 'twitch link failed');
            return sendHtml(reply, 400, failurePage(language, nonce, error.reason, language === 'pt' ? REASONS_PT[error.reason] : error.message));
          }
          if (error instanceof TwitchNotConfiguredError) {
            return sendHtml(reply, 400, failurePage(language, nonce, 'NOT_CONFIGURED', language === 'pt' ? REASONS_PT.NOT_CONFIGURED : error.message));
          }
          logger.error({ err: error }, 'twitch callback failed');
          return sendHtml(reply, 500, failurePage(language, nonce, 'INTERNAL', language === 'pt' ? REASONS_PT.INTERNAL : 'Something went wrong on our side.'));
        }
      },
    );
  };
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function languageOf(request: FastifyRequest): Language {
  const header = request.headers['accept-language'] ?? '';
  const first = header.split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('en') ? 'en' : 'pt';
}

function failurePage(language: Language, nonce: string, reason: Reason, message: string): string {
  const text = TEXT[language];
  const body = `<p>${escapeHtml(message)}</p><p>${escapeHtml(text.again)}</p>`;
  return page(language, nonce, 'failed', text.failedTitle, body, reason);
}

function page(language: Language, nonce: string, outcome: 'linked' | 'failed', title: string, body: string, reason?: Reason): string {
  return `<!doctype html>
<html lang="${language === 'pt' ? 'pt-BR' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} · KinoYu</title>
<style nonce="${nonce}">
  body { font-family: system-ui, sans-serif; background: #18181b; color: #efeff1; display: grid; place-items: center; min-height: 100vh; margin: 0; }
  main { max-width: 32rem; padding: 2rem; border-radius: 12px; background: #26262c; }
  h1 { font-size: 1.4rem; margin-top: 0; color: ${outcome === 'linked' ? '#00f593' : '#ff8280'}; }
</style>
</head>
<body>
<main data-outcome="${outcome}"${reason ? ` data-reason="${reason}"` : ''}>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>
`;
}
