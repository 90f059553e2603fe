import type { Principal } from './principal';

/**
 * The authorization class of a principal for shared subscription executions: two subscribers
 * with the same key get the same field-level decisions, so they may share one execution. A
 * person's decisions depend on their roles, which depend only on who they are.
 */
export function principalAuthorizationKey(principal: Principal): string {
  switch (principal.kind) {
    case 'service':
      return 'service';
    case 'overlay':
      return `overlay:${principal.streamerId}`;
    case 'person':
      return `person:${principal.twitchUserId}`;
    case 'anonymous':
      return principal.rejectedCredential ? 'anonymous:rejected' : 'anonymous';
  }
}
