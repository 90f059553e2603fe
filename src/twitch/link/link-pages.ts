/**
 * What the link's two browser pages (the start page and the OAuth callback) share: the language
 * (pt-BR unless the browser prefers English), the page shell, and the cookie that binds a link to
 * the browser that pressed the start page's button.
 */
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';
import type { TwitchLinkError } from '../../errors/domain-errors';
import { escapeHtml } from '../../http/html';
import type { TwitchLinkService } from './link.service';

export type Language = 'pt' | 'en';

/** What both routes get from the Twitch feature. */
export interface LinkPagesDeps {
  link: TwitchLinkService;
  /** PUBLIC_URL (or the local URL once the server listens). */
  publicUrl(): string;
  /** Twitch's OAuth base (the start page's form redirects there); undefined when not configured. */
  authUrl: string | undefined;
}

/** Holds the random binding token (its SHA-256 is on the link state); nothing else is in it. */
export const BINDING_COOKIE = 'kinoyu_twitch_link';

/**
 * HttpOnly (no script reads it), SameSite=Lax (sent on Twitch's top-level redirect back to the
 * callback, not on cross-site subrequests), Path=/auth/twitch under PUBLIC_URL's path (only the
 * start page and callback see it), Secure when PUBLIC_URL is https, and gone when the link expires.
 */
export function bindingCookieOptions(publicUrl: string, expiresAt: Date): CookieSerializeOptions {
  return { ...bindingCookieScope(publicUrl), maxAge: Math.max(1, Math.floor((expiresAt.getTime() - Date.now()) / 1000)) };
}

/** The attributes that name the cookie for the browser (clearing it must repeat them). */
export function bindingCookieScope(publicUrl: string): CookieSerializeOptions {
  const base = new URL(publicUrl).pathname.replace(/\/+$/, '');
  return { httpOnly: true, sameSite: 'lax', secure: publicUrl.startsWith('https:'), path: `${base}/auth/twitch` };
}

export function languageOf(request: FastifyRequest): Language {
  const header = request.headers['accept-language'] ?? '';
  const first = header.split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('en') ? 'en' : 'pt';
}

/** The server as the person should recognize it: its name when the bot told us, and its id. */
export function serverLabel(guildName: string | null, guildId: string): string {
  return guildName ? `<strong>${escapeHtml(guildName)}</strong> (${escapeHtml(guildId)})` : `<strong>${escapeHtml(guildId)}</strong>`;
}

export type Reason = TwitchLinkError['reason'] | 'NOT_CONFIGURED' | 'TWITCH_ERROR' | 'INTERNAL' | 'CROSS_SITE';

/** pt-BR for each reason; English is the error's own message (or the route's sentence). */
export const REASONS_PT: Record<Reason, string> = {
  INVALID_STATE: 'Este link não é válido.',
  EXPIRED_STATE: 'Este link expirou (vale por 10 minutos).',
  USED_STATE: 'Este link já foi usado.',
  GUILD_MISMATCH: 'Este link foi criado para outro servidor ou outra pessoa do Discord.',
  BROWSER_MISMATCH:
    'Abra o link no mesmo navegador em que você abriu o link do Discord, e termine nele: comece de novo com /iniciar (ou /link) no Discord.',
  ACCESS_DENIED: 'A Twitch não autorizou o acesso.',
  EXCHANGE_FAILED: 'A Twitch não confirmou a autorização.',
  MISSING_SCOPES: 'Faltaram permissões: aprove todas as permissões pedidas.',
  ALREADY_LINKED_ELSEWHERE: 'Esta conta da Twitch já está vinculada a outro servidor do Discord: desvincule lá primeiro.',
  WRONG_ACCOUNT:
    'Você autorizou com outra conta da Twitch, não com a que está conectada no painel: troque de conta na Twitch e conecte o canal de novo.',
  NOT_CONFIGURED: 'Este servidor não tem a integração com a Twitch configurada.',
  TWITCH_ERROR: 'A Twitch não autorizou o acesso.',
  INTERNAL: 'Algo deu errado do nosso lado.',
  CROSS_SITE: 'Este botão só funciona na nossa página: abra de novo o link que o bot mandou no Discord.',
};

export const CROSS_SITE_EN = 'This button works only on our page: open the link the bot sent you in Discord again.';
export const INTERNAL_EN = 'Something went wrong on our side.';

const FAILURE = {
  pt: { title: 'Não foi possível vincular a Twitch', again: 'Use /iniciar (ou /link) no Discord para tentar de novo.' },
  en: { title: 'Could not link Twitch', again: 'Use /link in Discord to try again.' },
} as const;

/** A failure page: `message` is plain text (escaped here). */
export function failurePage(language: Language, nonce: string, reason: Reason, message: string): string {
  const text = FAILURE[language];
  const body = `<p>${escapeHtml(message)}</p><p>${escapeHtml(text.again)}</p>`;
  return page(language, nonce, 'failed', text.title, body, reason);
}

export type Outcome = 'linked' | 'failed' | 'start';

/** A whole page; `body` is HTML the caller escaped. Its only resource is the nonce'd stylesheet. */
export function page(
  language: Language,
  nonce: string,
  outcome: Outcome,
  title: string,
  body: string,
  reason?: string,
): string {
  const heading = outcome === 'linked' ? '#00f593' : outcome === 'failed' ? '#ff8280' : '#bf94ff';
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
  h1 { font-size: 1.4rem; margin-top: 0; color: ${heading}; }
  code { background: #18181b; padding: 0 .25rem; border-radius: 4px; }
  button { font: inherit; font-weight: 600; padding: .6rem 1.2rem; border: 0; border-radius: 6px; background: #9147ff; color: #fff; cursor: pointer; }
</style>
</head>
<body>
<main data-outcome="${outcome}"${reason ? ` data-reason="${escapeHtml(reason)}"` : ''}>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>
`;
}
