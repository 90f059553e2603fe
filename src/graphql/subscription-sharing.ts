import { principalAuthorizationKey } from '../auth/subscription-key';
import { SubscriberTooSlowError } from '../pubsub/event-bus';
import type { GraphQLContext } from './context';
import { useSharedSubscriptionExecution, type SerializedResultSink } from './plugins/shared-subscription-execution';

/** What a transport may add to the context: where serialized results of this subscription go. */
export interface SerializedSinkContext {
  nextFrameSink?: SerializedResultSink;
}

/**
 * The envelop plugin that executes each event once per document, variables and principal class,
 * and, over graphql-ws, serializes it once per group (the socket layer writes the frames).
 */
export function useSharedSubscriptions() {
  return useSharedSubscriptionExecution<GraphQLContext & SerializedSinkContext>({
    authorizationKey: (context) => principalAuthorizationKey(context.principal),
    tooSlowError: (limit) => new SubscriberTooSlowError(limit),
    serializedSink: (context) => context.nextFrameSink,
  });
}
