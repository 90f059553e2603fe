import type { Logger } from 'pino';
import { TokenCipherError } from '../crypto/token-cipher';
import type { Db } from '../db/database';
import { NotFoundError, ValidationError } from '../errors/domain-errors';
import type { Streamer } from '../generated/prisma/client';
import { newOverlayKey, type OverlayKeyVault } from './overlay-key-vault';

/** The stored overlay key does not decrypt for its row (moved, tampered, key no longer configured); rotateOverlayKey mends it. */
export class OverlayKeyUnreadableError extends Error {
  override name = 'OverlayKeyUnreadableError';
  constructor(streamerId: string) {
    super(`the overlay key of streamer ${streamerId} cannot be read; rotate it (rotateOverlayKey)`);
  }
}

const SNOWFLAKE = /^\d{5,25}$/;

export class StreamerService {
  constructor(
    private readonly db: Db,
    private readonly publicUrl: () => string,
    private readonly overlayKeys: OverlayKeyVault,
    private readonly logger?: Logger,
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
      create: { guildId, ...this.overlayKeys.newStreamer() },
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
    return this.db.streamer.update({
      where: { id },
      data: { ...this.overlayKeys.seal(id, newOverlayKey()), legacyOverlayKey: null },
    });
  }

  /** The streamer whose overlay key this is (by its keyed hash), or null. */
  async findIdByOverlayKey(key: string): Promise<string | null> {
    if (key.length === 0 || key.length > 200) return null;
    const streamer = await this.db.streamer.findFirst({
      where: { overlayKeyHash: { in: this.overlayKeys.lookupHashes(key) } },
      select: { id: true },
    });
    return streamer?.id ?? null;
  }

  overlayUrl(streamer: Pick<Streamer, 'id' | 'overlayKeyEnc'>): string {
    return `${this.publicUrl()}/overlay/${streamer.id}?key=${encodeURIComponent(this.overlayKeyOf(streamer))}`;
  }

  /**
   * Startup: seals the plaintext keys of rows written before keys were encrypted (and clears
   * them), and re-seals rows sealed or hashed with a non-primary key. Each update is conditional
   * on the values it read, so instances starting together convert each row once. A row whose key
   * does not decrypt is logged and left as it is (rotateOverlayKey mends it).
   */
  async sealOverlayKeys(): Promise<{ converted: number; resealed: number; unreadable: number }> {
    const primary = this.overlayKeys.primaryKeyId;
    const rows = await this.db.streamer.findMany({
      where: {
        OR: [
          { legacyOverlayKey: { not: null } },
          { overlayKeyEnc: null },
          { NOT: { overlayKeyEnc: { startsWith: `v2.${primary}.` } } },
          { NOT: { overlayKeyHash: { startsWith: `${primary}.` } } },
        ],
      },
      select: { id: true, legacyOverlayKey: true, overlayKeyEnc: true, overlayKeyHash: true },
    });
    const counts = { converted: 0, resealed: 0, unreadable: 0 };
    for (const row of rows) {
      if (row.legacyOverlayKey !== null) {
        const done = await this.db.streamer.updateMany({
          where: { id: row.id, legacyOverlayKey: row.legacyOverlayKey },
          data: { ...this.overlayKeys.seal(row.id, row.legacyOverlayKey), legacyOverlayKey: null },
        });
        counts.converted += done.count;
        continue;
      }
      if (row.overlayKeyEnc === null || row.overlayKeyHash === null) continue; // excluded by the CHECK constraint
      const sealed = { overlayKeyEnc: row.overlayKeyEnc, overlayKeyHash: row.overlayKeyHash };
      if (!this.overlayKeys.needsResealing(sealed)) continue;
      let key: string;
      try {
        key = this.overlayKeys.open(row.id, row.overlayKeyEnc);
      } catch (error) {
        if (!(error instanceof TokenCipherError)) throw error;
        counts.unreadable += 1;
        this.logger?.error({ streamerId: row.id, err: error.message }, 'overlay key does not decrypt for its streamer; left as it is');
        continue;
      }
      const done = await this.db.streamer.updateMany({ where: { id: row.id, ...sealed }, data: this.overlayKeys.seal(row.id, key) });
      counts.resealed += done.count;
    }
    if (counts.converted + counts.resealed + counts.unreadable > 0) this.logger?.info(counts, 'overlay keys sealed');
    return counts;
  }

  private overlayKeyOf(streamer: Pick<Streamer, 'id' | 'overlayKeyEnc'>): string {
    if (streamer.overlayKeyEnc === null) throw new OverlayKeyUnreadableError(streamer.id);
    try {
      return this.overlayKeys.open(streamer.id, streamer.overlayKeyEnc);
    } catch (error) {
      if (!(error instanceof TokenCipherError)) throw error;
      this.logger?.error({ streamerId: streamer.id, err: error.message }, 'overlay key does not decrypt for its streamer');
      throw new OverlayKeyUnreadableError(streamer.id);
    }
  }
}

function assertSnowflake(field: string, value: string): void {
  if (!SNOWFLAKE.test(value)) {
    throw new ValidationError([{ path: [field], message: `${field} must be a Discord id (digits only)` }]);
  }
}
