import { GraphQLError } from 'graphql';
import type { Principal } from './principal';
import type { RequestAccess } from './request-access';
import type { StreamerTarget } from './roles';

/**
 * The scope-auth scopes of the schema (the builder's `AuthScopes`):
 * - `service`: only the service principal (the bot's own operations: guilds, Discord marks);
 * - `person`: any logged-in person (`viewer`);
 * - `watch` / `steer` / `manage`: "may watch / steer / manage streamer X" (see policy.ts), X named
 *   directly or through one of its raffles or items.
 */
export interface AuthScopes {
  service: boolean;
  /** Someone logged in on the dashboard (a person principal, on any streamer). */
  person: boolean;
  watch: StreamerTarget;
  steer: StreamerTarget;
  manage: StreamerTarget;
}

/** The scope loaders of one request; scope-auth calls this once per context and caches per parameter. */
export function scopeLoaders(access: RequestAccess) {
  return {
    service: access.principal.kind === 'service',
    person: access.principal.kind === 'person',
    watch: (target: StreamerTarget) => access.may('watch', target),
    steer: (target: StreamerTarget) => access.may('steer', target),
    manage: (target: StreamerTarget) => access.may('manage', target),
  };
}

/**
 * scope-auth's cache key: targets are objects built per field, so compare them by value. A target
 * names one resource (`{ streamerId }`, `{ itemId }`...): its key is that name and id, built
 * without JSON.stringify, as it is for every scoped field of every row (`Item.stock` of 200 items).
 * Anything else falls back to its JSON.
 */
export function scopeCacheKey(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const target = value as Record<string, unknown>;
  if ('streamerId' in target && typeof target.streamerId === 'string' && Object.keys(target).length === 1) return `streamerId\u0000${target.streamerId}`;
  return JSON.stringify(value);
}

/** The error of a refused field: UNAUTHENTICATED without an accepted credential, else FORBIDDEN. */
export function authorizationError(principal: Principal): GraphQLError {
  if (principal.kind === 'anonymous') {
    return new GraphQLError(
      principal.rejectedCredential
        ? 'Invalid credentials: the API token or overlay key was not accepted'
        : 'Authentication required: send Authorization: Bearer <API_TOKEN>',
      { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } },
    );
  }
  return new GraphQLError('Not allowed for this principal', { extensions: { code: 'FORBIDDEN' } });
}
