/**
 * Which instance reads a streamer's chat: a lease on twitch_chat_streams (owner + expiry from the
 * database clock, as rounds lease raffles), taken when free or expired, renewed by its owner,
 * released on a clean stop. The same row carries the chat's status for the streamer's page.
 */
import type { Db } from '../../db/database';

export type ChatStreamStatus = 'IDLE' | 'CONNECTED' | 'REVOKED' | 'NEEDS_RECONNECT' | 'ERROR';

export class ChatLeases {
  constructor(
    private readonly db: Db,
    private readonly owner: string,
    private readonly leaseSeconds: number,
  ) {}

  /** Takes or renews the lease of each streamer given; returns those this instance now holds. */
  async acquire(streamerIds: readonly string[]): Promise<Set<string>> {
    if (streamerIds.length === 0) return new Set();
    const rows = await this.db.$queryRaw<{ streamer_id: string }[]>`
      INSERT INTO twitch_chat_streams (streamer_id, lease_owner, lease_until)
      SELECT id, ${this.owner}, now() + make_interval(secs => ${this.leaseSeconds}::double precision)
        FROM unnest(${[...streamerIds]}::text[]) AS id
      ON CONFLICT (streamer_id) DO UPDATE
         SET lease_owner = EXCLUDED.lease_owner, lease_until = EXCLUDED.lease_until
       WHERE twitch_chat_streams.lease_owner = EXCLUDED.lease_owner
          OR twitch_chat_streams.lease_owner IS NULL
          OR twitch_chat_streams.lease_until < now()
      RETURNING streamer_id`;
    return new Set(rows.map((row) => row.streamer_id));
  }

  async release(streamerIds: readonly string[]): Promise<void> {
    if (streamerIds.length === 0) return;
    await this.db.$executeRaw`
      UPDATE twitch_chat_streams SET lease_owner = NULL, lease_until = NULL
       WHERE lease_owner = ${this.owner} AND streamer_id = ANY(${[...streamerIds]}::text[])`;
  }

  async setStatus(streamerId: string, status: ChatStreamStatus, message: string | null): Promise<void> {
    await this.db.$executeRaw`
      INSERT INTO twitch_chat_streams (streamer_id, status, status_message, status_at)
      VALUES (${streamerId}, ${status}, ${message}, now())
      ON CONFLICT (streamer_id) DO UPDATE
         SET status = EXCLUDED.status, status_message = EXCLUDED.status_message, status_at = now()`;
  }
}
