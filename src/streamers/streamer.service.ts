import { randomBytes } from 'node:crypto';
import type { Db } from '../db/database';
import { NotFoundError, ValidationError } from '../errors/domain-errors';
import type { Streamer } from '../generated/prisma/client';

export function newOverlayKey(): string {
  return randomBytes(24).toString('base64url');
}

const SNOWFLAKE = /^\d{5,25}$/;

export class StreamerService {
  constructor(
    private readonly db: Db,
    private readonly publicUrl: () => string,
  ) {}

  async require(id: string): Promise<Streamer> {
    const streamer = await this.db.streamer.findUnique({ where: { id } });
    if (!streamer) throw new NotFoundError('Streamer', id);
    return streamer;
  }

  /** The streamer of a Discord guild, created (unlinked) on first use. */
  async ensureForGuild(guildId: string): Promise<Streamer> {
    assertSnowflake('guildId', guildId);
    return this.db.streamer.upsert({
      where: { guildId },
      create: { guildId, overlayKey: newOverlayKey() },
      update: {},
    });
  }

  async setAnnounceChannel(id: string, channelId: string | null): Promise<Streamer> {
    if (channelId !== null) assertSnowflake('channelId', channelId);
    await this.require(id);
    return this.db.streamer.update({ where: { id }, data: { announceChannelId: channelId } });
  }

  async rotateOverlayKey(id: string): Promise<Streamer> {
    await this.require(id);
    return this.db.streamer.update({ where: { id }, data: { overlayKey: newOverlayKey() } });
  }

  async findIdByOverlayKey(key: string): Promise<string | null> {
    const streamer = await this.db.streamer.findUnique({ where: { overlayKey: key }, select: { id: true } });
    return streamer?.id ?? null;
  }

  overlayUrl(streamer: Pick<Streamer, 'id' | 'overlayKey'>): string {
    return `${this.publicUrl()}/overlay/${streamer.id}?key=${encodeURIComponent(streamer.overlayKey)}`;
  }
}

function assertSnowflake(field: string, value: string): void {
  if (!SNOWFLAKE.test(value)) {
    throw new ValidationError([{ path: [field], message: `${field} must be a Discord id (digits only)` }]);
  }
}
