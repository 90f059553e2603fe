/** Errors thrown by the Helix client. Messages carry Twitch's text, never token text. */

export class HelixError extends Error {
  override name = 'HelixError';
  constructor(
    /** e.g. "GET /chat/chatters" (no query string). */
    readonly endpoint: string,
    /** HTTP status, or null when no response arrived (network error, timeout). */
    readonly status: number | null,
    /** Twitch's message ("Missing scope: moderator:read:chatters") or a description of the failure. */
    readonly twitchMessage: string,
    /** How many HTTP attempts were made before giving up. */
    readonly attempts: number = 1,
  ) {
    super(`${endpoint} failed${status === null ? '' : ` with ${status}`}: ${twitchMessage}`);
  }
}

/**
 * 401 from Helix: the access token is expired, revoked or invalid. Refresh it and call again
 * (or pass a TokenSource with refreshAccessToken and the client does it once by itself).
 */
export class HelixUnauthorizedError extends HelixError {
  override name = 'HelixUnauthorizedError';
  constructor(endpoint: string, twitchMessage: string, attempts = 1) {
    super(endpoint, 401, twitchMessage, attempts);
  }
}

/** Thrown before any request when a chat message exceeds Twitch's 500-character limit. */
export class ChatMessageTooLongError extends Error {
  override name = 'ChatMessageTooLongError';
  constructor(
    readonly length: number,
    readonly maxLength: number,
  ) {
    super(`chat message is ${length} characters; Twitch allows at most ${maxLength}`);
  }
}
