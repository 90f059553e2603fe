/** Small HTTP helpers shared by the Twitch auth and Helix clients. */

export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** Reads a response body as JSON; `undefined` for an empty body, `null` when it is not JSON. */
export async function readJsonBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/**
 * Twitch's error message from an error body (`{status, message}` on id.twitch.tv,
 * `{error, status, message}` on Helix), falling back to the HTTP status text.
 * Any secret that appears in it is masked, so it is safe to put in an Error.
 */
export function twitchErrorMessage(body: unknown, response: Response, secrets: readonly string[]): string {
  let message = '';
  if (isRecord(body)) {
    if (typeof body.message === 'string' && body.message !== '') message = body.message;
    else if (typeof body.error === 'string') message = body.error;
  }
  if (message === '') message = response.statusText || `HTTP ${response.status}`;
  return redactSecrets(message, secrets);
}

export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out;
}

/** A signal that aborts on the caller's signal or after `timeoutMs`, whichever comes first. */
export function timeoutSignal(timeoutMs: number, signal?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

export function isTimeoutError(error: unknown): boolean {
  return error instanceof Error && error.name === 'TimeoutError';
}

export function describeFetchFailure(error: unknown): string {
  if (isTimeoutError(error)) return 'request timed out';
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    const code = isRecord(cause) && typeof cause.code === 'string' ? ` (${cause.code})` : '';
    return `network error${code}`;
  }
  return 'network error';
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function trimTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
