/**
 * Expected failures of the domain. Services throw these; the GraphQL layer returns them as members
 * of a field's result union (see graphql/error-types.ts). Anything else is unexpected and masked.
 */
export class DomainError extends Error {
  override name = 'DomainError';
}

export class NotFoundError extends DomainError {
  override name = 'NotFoundError';
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super(`${entity} ${id} was not found`);
  }
}

export interface FieldProblem {
  /** Path of the offending input, e.g. ['items', '2', 'weight'] or ['text', '1']. */
  path: string[];
  message: string;
}

export class ValidationError extends DomainError {
  override name = 'ValidationError';
  constructor(
    readonly problems: FieldProblem[],
    message = problems.length === 1 ? problems[0]!.message : `${problems.length} problems in the input`,
  ) {
    super(message);
  }
}

export class InvalidStateError extends DomainError {
  override name = 'InvalidStateError';
}

export class RaffleAlreadyRunningError extends DomainError {
  override name = 'RaffleAlreadyRunningError';
  constructor(readonly raffleId: string) {
    super('a raffle is already running for this streamer: stop it first');
  }
}

export class TwitchNotLinkedError extends DomainError {
  override name = 'TwitchNotLinkedError';
  constructor(message = 'this streamer has no linked Twitch account: link it first (/link)') {
    super(message);
  }
}

export class TwitchNotConfiguredError extends DomainError {
  override name = 'TwitchNotConfiguredError';
  constructor() {
    super('Twitch is not configured on this server: set TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET');
  }
}

export class TwitchLinkError extends DomainError {
  override name = 'TwitchLinkError';
  constructor(
    readonly reason:
      | 'INVALID_STATE'
      | 'EXPIRED_STATE'
      | 'USED_STATE'
      | 'GUILD_MISMATCH'
      | 'BROWSER_MISMATCH'
      | 'ACCESS_DENIED'
      | 'EXCHANGE_FAILED'
      | 'MISSING_SCOPES'
      | 'ALREADY_LINKED_ELSEWHERE'
      | 'WRONG_ACCOUNT',
    message: string,
  ) {
    super(message);
  }
}
