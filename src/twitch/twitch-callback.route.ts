/**
 * GET /auth/twitch/callback: where Twitch sends the streamer's browser after the consent page,
 * with `code` and `state`, or `error` and `error_description` when they declined. Completes the
 * link through the same service as the completeTwitchLink mutation and shows a plain page: 200
 * when linked, 400 for every expected failure. Nothing secret (code, state, tokens) is echoed.
 */
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { TwitchLinkError, TwitchNotConfiguredError } from '../errors/domain-errors';
import { escapeHtml, exactPath, sendHtml, type Route } from '../http/routes';
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

const TEXT = {
  pt: {
    linkedTitle: 'Conta da Twitch vinculada',
    linked: (name: string) => `Pronto! O sorteio deste servidor do Discord agora usa o chat de <strong>${name}</strong> na Twitch. Pode fechar esta aba.`,
    failedTitle: 'Não foi possível vincular a Twitch',
    again: 'Use /iniciar (ou /link) no Discord para tentar de novo.',
    twitchSaid: 'A Twitch disse',
  },
  en: {
    linkedTitle: 'Twitch account linked',
    linked: (name: string) => `Done! This Discord server's raffles now use <strong>${name}</strong>'s Twitch chat. You can close this tab.`,
    failedTitle: 'Could not link Twitch',
    again: 'Use /link in Discord to try again.',
    twitchSaid: 'Twitch said',
  },
} as const;

export function twitchCallbackRoute(link: TwitchLinkService, logger: Logger): Route {
  return {
    method: 'GET',
    match: exactPath(CALLBACK_PATH),
    async handle(request, response, url) {
      const language = languageOf(request);
      if (request.method === 'HEAD') {
        // Link checkers and prefetchers must not spend the single-use state.
        sendHtml(response, 200, '');
        return;
      }
      const params = url.searchParams;
      const twitchError = params.get('error');
      if (twitchError !== null) {
        const description = params.get('error_description');
        const reason: Reason = twitchError === 'access_denied' ? 'ACCESS_DENIED' : 'TWITCH_ERROR';
        const english = twitchError === 'access_denied' ? 'You did not authorize the app on Twitch.' : 'Twitch did not authorize the app.';
        const detail = `${TEXT[language].twitchSaid}: ${description ?? twitchError}`;
        logger.info({ twitchError }, 'twitch link declined at twitch');
        sendHtml(response, 400, failurePage(language, reason, english, detail));
        return;
      }
      try {
        const streamer = await link.complete({ code: params.get('code'), state: params.get('state') });
        const name = escapeHtml(streamer.displayName ?? streamer.login ?? '');
        sendHtml(response, 200, page(language, 'linked', TEXT[language].linkedTitle, `<p>${TEXT[language].linked(name)}</p>`));
      } catch (error) {
        if (error instanceof TwitchLinkError) {
          logger.info({ reason: error.reason }, 'twitch link failed');
          sendHtml(response, 400, failurePage(language, error.reason, error.message));
        } else if (error instanceof TwitchNotConfiguredError) {
          sendHtml(response, 400, failurePage(language, 'NOT_CONFIGURED', error.message));
        } else {
          logger.error({ err: error }, 'twitch callback failed');
          sendHtml(response, 500, failurePage(language, 'INTERNAL', 'Something went wrong on our side.'));
        }
      }
    },
  };
}

function languageOf(request: IncomingMessage): Language {
  const header = request.headers['accept-language'] ?? '';
  const first = header.split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('en') ? 'en' : 'pt';
}

function failurePage(language: Language, reason: Reason, english: string, detail?: string): string {
  const text = TEXT[language];
  const message = language === 'pt' ? REASONS_PT[reason] : english;
  const body = [
    `<p>${escapeHtml(message)}</p>`,
    detail ? `<p class="detail">${escapeHtml(detail)}</p>` : '',
    `<p>${escapeHtml(text.again)}</p>`,
  ].join('');
  return page(language, 'failed', text.failedTitle, body, reason);
}

function page(language: Language, outcome: 'linked' | 'failed', title: string, body: string, reason?: Reason): string {
  return `<!doctype html>
<html lang="${language === 'pt' ? 'pt-BR' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} · KinoYu</title>
<style>
  body { font-family: system-ui, sans-serif; background: #18181b; color: #efeff1; display: grid; place-items: center; min-height: 100vh; margin: 0; }
  main { max-width: 32rem; padding: 2rem; border-radius: 12px; background: #26262c; }
  h1 { font-size: 1.4rem; margin-top: 0; color: ${outcome === 'linked' ? '#00f593' : '#ff8280'}; }
  .detail { color: #adadb8; font-size: 0.9rem; }
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
