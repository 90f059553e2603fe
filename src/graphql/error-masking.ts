import { maskError } from 'graphql-yoga';
import type { Logger } from 'pino';

/** yoga's message for a masked error. */
export const MASKED_ERROR_MESSAGE = 'Unexpected error.';

/**
 * The masking yoga applies to results (`maskedErrors: true`), for results that do not pass
 * through yoga's hooks (direct sinks of shared subscriptions): the same `maskError`, an error
 * masked once stays as it is, and an unexpected error is logged when it is masked.
 */
export function createErrorMasking(logger: Logger): (error: unknown) => Error {
  const masked = new WeakSet<object>();
  return (error) => {
    if (typeof error === 'object' && error !== null && masked.has(error)) return error as Error;
    const result = maskError(error, MASKED_ERROR_MESSAGE);
    if (result !== error) logger.error({ err: error }, error instanceof Error ? error.message : String(error));
    masked.add(result);
    return result;
  };
}
