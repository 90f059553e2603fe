import { principalAuthorizationKey } from '../auth/subscription-key';
import { SubscriberTooSlowError } from '../pubsub/event-bus';
import type { GraphQLContext } from './context';
import { useSharedSubscriptionExecution } from './plugins/shared-subscription-execution';

/** The envelop plugin that executes each event once per document, variables and principal class. */
export function useSharedSubscriptions() {
  return useSharedSubscriptionExecution<GraphQLContext>({
    authorizationKey: (context) => principalAuthorizationKey(context.principal),
    tooSlowError: (limit) => new SubscriberTooSlowError(limit),
  });
}
