import { RESTJSONErrorCodes } from 'discord-api-types/v10';

/** One problem inside a 50035 "Invalid Form Body" error, at a path such as `embeds.0.title`. */
export interface FieldProblem {
  path: (string | number)[];
  code: string;
  message: string;
}

/** The JSON error body Discord answers with: `{ message, code, errors? }`. */
export class DiscordApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly errors?: unknown,
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return this.errors === undefined
      ? { message: this.message, code: this.code }
      : { message: this.message, code: this.code, errors: this.errors };
  }
}

export const notFound = (code: RESTJSONErrorCodes, what: string) => new DiscordApiError(404, code, `Unknown ${what}`);

/**
 * Builds Discord's nested error tree:
 * `{ "embeds": { "0": { "title": { "_errors": [{ "code": ..., "message": ... }] } } } }`.
 */
export function invalidFormBody(problems: FieldProblem[]): DiscordApiError {
  const tree: Record<string, unknown> = {};
  for (const problem of problems) {
    let node = tree;
    for (const key of problem.path) {
      const name = String(key);
      node[name] ??= {};
      node = node[name] as Record<string, unknown>;
    }
    const list = (node._errors ??= []) as { code: string; message: string }[];
    list.push({ code: problem.code, message: problem.message });
  }
  return new DiscordApiError(400, RESTJSONErrorCodes.InvalidFormBodyOrContentType, 'Invalid Form Body', tree);
}
