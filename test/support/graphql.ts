import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Kind, parse, print, visit, type DefinitionNode, type DocumentNode, type FragmentDefinitionNode } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { TEST_API_TOKEN } from './test-app';

export const CONTRACT_FILE = fileURLToPath(new URL('../../../shared/contract/operations.graphql', import.meta.url));
/** The turn-2 contract files that use operations.graphql's fragments. */
export const FAIRNESS_CONTRACT_FILE = fileURLToPath(new URL('../../../shared/contract/fairness.graphql', import.meta.url));
export const ENTRY_CONTRACT_FILE = fileURLToPath(new URL('../../../shared/contract/entry.graphql', import.meta.url));

let contractDocument: DocumentNode | undefined;

export function contractDocumentNode(): DocumentNode {
  contractDocument ??= parse(readFileSync(CONTRACT_FILE, 'utf8'));
  return contractDocument;
}

/**
 * One operation of the shared contract with just the fragments it uses, ready to send; `extraFile`
 * names another contract file (e.g. FAIRNESS_CONTRACT_FILE) read together with operations.graphql.
 */
export function contractOperation(name: string, extraFile?: string): string {
  const main = contractDocumentNode();
  const document: DocumentNode = extraFile
    ? { kind: Kind.DOCUMENT, definitions: [...main.definitions, ...parse(readFileSync(extraFile, 'utf8')).definitions] }
    : main;
  const fragments = new Map(
    document.definitions
      .filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION)
      .map((fragment) => [fragment.name.value, fragment]),
  );
  const operation = document.definitions.find(
    (definition) => definition.kind === Kind.OPERATION_DEFINITION && definition.name?.value === name,
  );
  if (!operation) throw new Error(`no operation ${name} in the contract`);
  const used = new Set<string>();
  const collect = (node: DefinitionNode) =>
    visit(node, {
      FragmentSpread(spread) {
        if (used.has(spread.name.value)) return;
        used.add(spread.name.value);
        collect(fragments.get(spread.name.value)!);
      },
    });
  collect(operation);
  return [operation, ...[...used].map((fragmentName) => fragments.get(fragmentName)!)].map((node) => print(node)).join('\n\n');
}

export interface GraphQLResponse<T = any> {
  data?: T;
  errors?: Array<{ message: string; extensions?: Record<string, unknown>; path?: unknown[] }>;
}

export interface RequestOptions {
  /** Bearer token; `null` sends none. Default: the service principal. */
  token?: string | null;
  overlayKey?: string;
}

export async function request<T = any>(
  baseUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  options: RequestOptions = {},
): Promise<GraphQLResponse<T> & { status: number }> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  const token = options.token === undefined ? TEST_API_TOKEN : options.token;
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.overlayKey) headers['x-overlay-key'] = options.overlayKey;
  const response = await fetch(`${baseUrl}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const body = (await response.json()) as GraphQLResponse<T>;
  return { ...body, status: response.status };
}

/** Executes and fails with the request printed when the response has errors. */
export async function execute<T = any>(
  baseUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  options: RequestOptions = {},
): Promise<T> {
  const response = await request<T>(baseUrl, query, variables, options);
  if (response.errors?.length || !response.data) {
    throw new Error(
      `GraphQL request failed:\n${query}\nvariables: ${JSON.stringify(variables)}\nerrors: ${JSON.stringify(response.errors, null, 2)}`,
    );
  }
  return response.data;
}

export interface Subscription<T> {
  next(timeoutMs?: number): Promise<T>;
  return(): Promise<void>;
  client: Client;
}

/**
 * Subscribes over graphql-ws and resolves once the server acknowledged the subscription is
 * registered (first: connection ack; then a short settle so the pub/sub listener exists).
 */
export async function subscribe<T = any>(
  baseUrl: string,
  query: string,
  variables: Record<string, unknown>,
  connectionParams: Record<string, unknown> = { authorization: `Bearer ${TEST_API_TOKEN}` },
): Promise<Subscription<T>> {
  const client = createClient({
    url: `${baseUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: true,
  });
  const iterator = client.iterate<T>({ query, variables });
  const queue: Array<Promise<IteratorResult<any>>> = [];
  const pump = () => queue.push(iterator.next());
  pump();
  await new Promise<void>((resolve, reject) => {
    const offConnected = client.on('connected', () => {
      offConnected();
      offClosed();
      setTimeout(resolve, 150);
    });
    const offClosed = client.on('closed', (event) => {
      offClosed();
      reject(new Error(`socket closed before ack: ${(event as { code?: number }).code}`));
    });
  }).catch((error) => {
    void client.dispose();
    throw error;
  });
  return {
    client,
    async next(timeoutMs = 10_000) {
      const pending = queue.shift()!;
      pump();
      const result = await Promise.race([
        pending,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no event within ${timeoutMs} ms`)), timeoutMs)),
      ]);
      if (result.done) throw new Error('subscription ended');
      const value = result.value as GraphQLResponse<T>;
      if (value.errors?.length) throw new Error(`subscription error: ${JSON.stringify(value.errors)}`);
      return value.data as T;
    },
    async return() {
      await iterator.return?.();
      await client.dispose();
    },
  };
}
