import {
  InvalidStateError,
  NotFoundError,
  RaffleAlreadyRunningError,
  TwitchLinkError,
  TwitchNotConfiguredError,
  TwitchNotLinkedError,
  ValidationError,
  type FieldProblem,
} from '../errors/domain-errors';
import { builder } from './builder';

/** `interface Error { message }` and one object type per domain error (errors as data). */
export const ErrorInterface = builder.interfaceRef<Error>('Error').implement({
  fields: (t) => ({ message: t.exposeString('message') }),
});

function errorObject(errorClass: new (...args: any[]) => Error, name: string, description: string) {
  return builder.objectType(errorClass, {
    name,
    description,
    interfaces: [ErrorInterface],
    isTypeOf: (value) => value instanceof errorClass,
  });
}

errorObject(NotFoundError, 'NotFoundError', 'The id given does not name anything this caller can see.');
errorObject(InvalidStateError, 'InvalidStateError', 'The request is valid but not in the current state.');
errorObject(TwitchNotLinkedError, 'TwitchNotLinkedError', 'The streamer must link a Twitch account first.');
errorObject(TwitchNotConfiguredError, 'TwitchNotConfiguredError', 'The server has no Twitch client credentials.');

builder.objectType(RaffleAlreadyRunningError, {
  name: 'RaffleAlreadyRunningError',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof RaffleAlreadyRunningError,
  fields: (t) => ({ raffleId: t.exposeID('raffleId') }),
});

const TwitchLinkErrorReason = builder.enumType('TwitchLinkErrorReason', {
  values: [
    'INVALID_STATE',
    'EXPIRED_STATE',
    'USED_STATE',
    'GUILD_MISMATCH',
    'BROWSER_MISMATCH',
    'ACCESS_DENIED',
    'EXCHANGE_FAILED',
    'MISSING_SCOPES',
    'ALREADY_LINKED_ELSEWHERE',
    'WRONG_ACCOUNT',
  ] as const,
});

builder.objectType(TwitchLinkError, {
  name: 'TwitchLinkError',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof TwitchLinkError,
  fields: (t) => ({ reason: t.expose('reason', { type: TwitchLinkErrorReason }) }),
});

const FieldProblemType = builder.objectRef<FieldProblem>('FieldProblem').implement({
  description: 'One problem in the input: where (path of field names and list indexes) and what.',
  fields: (t) => ({
    path: t.exposeStringList('path'),
    message: t.exposeString('message'),
  }),
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof ValidationError,
  fields: (t) => ({ problems: t.field({ type: [FieldProblemType], resolve: (error) => error.problems }) }),
});

export const commonErrors = [NotFoundError, ValidationError, InvalidStateError] as const;
