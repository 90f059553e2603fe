import { TEST_API_TOKEN } from '../support/test-app';

/** What one fuzzed GraphQL request got back. */
export interface FuzzResponse {
  status: number;
  body: string;
  json: { errors?: Array<{ message?: string; extensions?: { code?: unknown } }> } | undefined;
}

/** POSTs a GraphQL request with the service token (always `Bearer `) and reads the body as text. */
export async function postGraphQL(baseUrl: string, body: string, headers: Record<string, string> = {}): Promise<FuzzResponse> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', authorization: `Bearer ${TEST_API_TOKEN}`, ...headers },
    body,
  });
  const text = await response.text();
  let json: FuzzResponse['json'];
  try {
    json = JSON.parse(text) as FuzzResponse['json'];
  } catch {
    json = undefined;
  }
  return { status: response.status, body: text, json };
}

/** Why a response counts as a server failure (a 5xx, or an unexpected error that was masked); null when fine. */
export function serverFailure(response: FuzzResponse): string | null {
  if (response.status >= 500) return `HTTP ${response.status}`;
  const masked = response.json?.errors?.find(
    (error) => error.extensions?.code === 'INTERNAL_SERVER_ERROR' || error.message === 'Unexpected error.',
  );
  return masked ? `masked unexpected error: ${JSON.stringify(masked)}` : null;
}

/** A JS value written as a GraphQL literal (for requests that inline arguments instead of variables). */
export function graphqlLiteral(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return `[${value.map(graphqlLiteral).join(', ')}]`;
  return `{${Object.entries(value as Record<string, unknown>)
    .map(([key, field]) => `${key}: ${graphqlLiteral(field)}`)
    .join(', ')}}`;
}

/** Truncates long request/response text in failure messages. */
export function shorten(text: string, max = 600): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

/**
 * Sends a subscription over SSE (POST, `Accept: text/event-stream`) and reads what arrives within
 * `waitMs` (errors come at once; a live subscription sends nothing until a round), then hangs up.
 */
export async function postSubscription(baseUrl: string, body: string, waitMs = 60): Promise<FuzzResponse> {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${TEST_API_TOKEN}` },
    body,
    signal: controller.signal,
  });
  let text = '';
  const reader = response.body?.getReader();
  if (reader) {
    const decoder = new TextDecoder();
    const timer = setTimeout(() => controller.abort(), waitMs);
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
    } catch {
      // Aborted after waitMs: what came so far is the answer.
    } finally {
      clearTimeout(timer);
    }
  }
  // Each `data:` line is one execution result; check them all like one JSON response.
  const errors = text
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .flatMap((line) => {
      try {
        return (JSON.parse(line.slice(5)) as { errors?: NonNullable<FuzzResponse['json']>['errors'] }).errors ?? [];
      } catch {
        return [];
      }
    });
  let json: FuzzResponse['json'] = { errors };
  if (!response.headers.get('content-type')?.includes('text/event-stream')) {
    try {
      json = JSON.parse(text) as FuzzResponse['json'];
    } catch {
      json = undefined;
    }
  }
  return { status: response.status, body: text, json };
}
