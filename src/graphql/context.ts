import type { Principal } from '../auth/principal';
import type { Services } from '../app/services';

/** Read-only per-request context, built by the HTTP and WebSocket layers alike. */
export interface GraphQLContext {
  principal: Principal;
  services: Services;
}
