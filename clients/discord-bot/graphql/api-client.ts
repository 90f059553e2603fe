import type { TadaDocumentNode } from 'gql.tada';
import { ClientError, GraphQLClient } from 'graphql-request';

/** The API could not be reached (down, refused, timed out) or answered with a server failure. */
export class ApiUnavailableError extends Error {
  override name = 'ApiUnavailableError';
}

/** The API answered with GraphQL errors: a bug or a schema mismatch, not an expected failure. */
export class ApiRequestError extends Error {
  override name = 'ApiRequestError';
  constructor(
    readonly operation: string,
    readonly messages: string[],
  ) {
    super(`${operation}: ${messages.join('; ')}`);
  }
}

export interface ApiClientOptions {
  url: string;
  token: string;
  /** Per request; commands have 3 s to answer, so keep it short. Default 8 s. */
  timeoutMs?: number;
}

export interface ApiClient {
  request<TResult, TVariables extends Record<string, unknown>>(
    document: TadaDocumentNode<TResult, TVariables>,
    ...variables: keyof TVariables extends never ? [variables?: TVariables] : [variables: TVariables]
  ): Promise<TResult>;
  /** Same request with another timeout (autocomplete must answer quickly). */
  withTimeout(timeoutMs: number): ApiClient;
}

/** The contract's credential form, over HTTP and graphql-ws alike: `Bearer <API_TOKEN>`. */
export function bearer(token: string): string {
  return `Bearer ${token}`;
}

/** The bot's only way to the server: GraphQL over HTTP as the service principal. */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const timeoutMs = options.timeoutMs ?? 8_000;
  const client = new GraphQLClient(options.url, {
    headers: { authorization: bearer(options.token) },
    fetch: (input: RequestInfo | URL, init?: RequestInit) => fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) }),
  });
  return {
    async request<TResult, TVariables extends Record<string, unknown>>(
      document: TadaDocumentNode<TResult, TVariables>,
      ...[variables]: keyof TVariables extends never ? [variables?: TVariables] : [variables: TVariables]
    ): Promise<TResult> {
      const operation = operationName(document);
      try {
        return await client.request<TResult>(document, variables as object | undefined);
      } catch (error) {
        throw classify(operation, error);
      }
    },
    withTimeout(ms) {
      return createApiClient({ ...options, timeoutMs: ms });
    },
  };
}

function classify(operation: string, error: unknown): Error {
  if (error instanceof ClientError) {
    const status = error.response.status;
    const messages = error.response.errors?.map((e) => e.message) ?? [];
    if (status >= 500 && messages.length === 0) return new ApiUnavailableError(`${operation}: HTTP ${status}`, { cause: error });
    if (status === 401 || status === 403) return new ApiRequestError(operation, [`HTTP ${status}: is API_TOKEN the server's?`, ...messages]);
    return new ApiRequestError(operation, messages.length ? messages : [`HTTP ${status}`]);
  }
  if (error instanceof Error) {
    // fetch failed (refused, reset, DNS), an abort by the timeout, or a body that is not JSON.
    return new ApiUnavailableError(`${operation}: ${error.message}`, { cause: error });
  }
  return new ApiUnavailableError(`${operation}: ${String(error)}`);
}

function operationName(document: { definitions?: readonly unknown[] }): string {
  for (const definition of document.definitions ?? []) {
    const node = definition as { kind?: string; name?: { value?: string } };
    if (node.kind === 'OperationDefinition') return node.name?.value ?? 'anonymous';
  }
  return 'anonymous';
}
