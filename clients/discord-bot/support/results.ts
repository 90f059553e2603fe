import type { Messages } from '../i18n';

/** An expected failure as the API returns it (a member of a result union implementing Error). */
export interface ErrorResult {
  __typename: string;
  message: string;
  problems?: ReadonlyArray<{ path: readonly string[]; message: string }>;
}

export function isErrorResult<T extends { __typename: string }>(result: T): result is Extract<T, { message: string }> {
  return 'message' in result && typeof (result as { message?: unknown }).message === 'string';
}

/** The user-facing text of an expected failure, with per-entry problems when the server gave them. */
export function describeFailure(messages: Messages, failure: ErrorResult): string {
  switch (failure.__typename) {
    case 'TwitchNotLinkedError':
      return messages.errors.twitchNotLinked;
    case 'RaffleAlreadyRunningError':
      return messages.raffle.alreadyRunning;
    case 'ValidationError':
      if (failure.problems?.length) return [messages.errors.problems, ...problemLines(messages, failure.problems)].join('\n');
      return messages.errors.serverSaid(failure.message);
    default:
      return messages.errors.serverSaid(failure.message);
  }
}

/** `['text', '2']` → "Entry 2: …"; other paths are joined with dots. */
export function problemLines(messages: Messages, problems: ReadonlyArray<{ path: readonly string[]; message: string }>): string[] {
  return problems.map((problem) => {
    const [field, index, ...rest] = problem.path;
    const where =
      (field === 'text' || field === 'items') && index !== undefined
        ? [messages.errors.entry(field === 'items' ? String(Number(index) + 1) : index), ...rest].join(' ')
        : problem.path.join('.') || '—';
    return messages.errors.problem(where, problem.message);
  });
}
