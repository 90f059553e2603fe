import type { DocumentNode } from 'graphql';
import { principalAuthorizationKey } from '../auth/subscription-key';
import { SubscriberTooSlowError } from '../pubsub/event-bus';
import type { GraphQLContext } from './context';
import { sharesFeed, useSharedSubscriptionExecution, type DirectResultSink } from './plugins/shared-subscription-execution';

/** Root-field arguments that only choose the channel: subscribers that give no other share one feed. */
const CHANNEL_ARGUMENTS: ReadonlySet<string> = new Set(['streamerId']);

/** What a transport may add to the context: where the results of this subscription go as bytes. */
export interface DirectSinkContext {
  broadcastSink?: DirectResultSink;
}

/**
 * The envelop plugin that executes each event once per document, variables and principal class,
 * and, for graphql-ws' direct sinks (broadcast-subscriptions.ts), serializes it once per group.
 * `maskError` is the server's error masking (error-masking.ts), applied to what direct sinks get.
 */
export function useSharedSubscriptions(maskError: (error: unknown) => Error) {
  return useSharedSubscriptionExecution<GraphQLContext & DirectSinkContext>({
    authorizationKey: (context) => principalAuthorizationKey(context.principal),
    channelArguments: [...CHANNEL_ARGUMENTS],
    tooSlowError: (limit) => new SubscriberTooSlowError(limit),
    directSink: (context) => context.broadcastSink,
    maskError,
  });
}

/** Whether subscribers of this operation share one feed (only channel arguments are given). */
export function sharesChannelFeed(
  document: DocumentNode,
  operationName: string | null | undefined,
  variableValues: Record<string, unknown> | null | undefined,
): boolean {
  return sharesFeed(document, operationName, variableValues, CHANNEL_ARGUMENTS);
}
