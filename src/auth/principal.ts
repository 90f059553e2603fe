/**
 * Who is calling. Built once per request (or per WebSocket connection) and read-only afterwards:
 * - `service`: the Discord bot and other trusted servers (`Authorization: Bearer <API_TOKEN>`);
 * - `overlay`: the overlay page of one streamer (its overlay key);
 * - `person`: someone logged in with Twitch (the dashboard session, a later issue); what they may
 *   do depends on their role per streamer (see roles.ts), looked up per request;
 * - `anonymous`: no credential, or one that was not accepted (`rejectedCredential`).
 */
export type Principal =
  | { readonly kind: 'service' }
  | { readonly kind: 'overlay'; readonly streamerId: string }
  | { readonly kind: 'person'; readonly twitchUserId: string }
  | { readonly kind: 'anonymous'; readonly rejectedCredential: boolean };

export type PrincipalKind = Principal['kind'];

export const servicePrincipal: Principal = Object.freeze({ kind: 'service' });

export function overlayPrincipal(streamerId: string): Principal {
  return Object.freeze({ kind: 'overlay', streamerId });
}

export function personPrincipal(twitchUserId: string): Principal {
  return Object.freeze({ kind: 'person', twitchUserId });
}

export function anonymousPrincipal(rejectedCredential = false): Principal {
  return Object.freeze({ kind: 'anonymous', rejectedCredential });
}
