import { randomInt } from 'node:crypto';
import type { ChatterSource } from '../chatters/chatter';
import type { Db } from '../db/database';
import { NotFoundError, ValidationError } from '../errors/domain-errors';
import type { EventBus } from '../pubsub/event-bus';
import {
  applyOverlaySettingsPatch,
  resolveOverlaySettings,
  storableOverlaySettings,
  type OverlaySettings,
  type OverlaySettingsPatch,
} from './overlay-settings';

/** How many names a reel shows at most (the overlay spins through them, then lands on the winner). */
export const REEL_MAX = 24;

/** Names of the test win's reel: made up, so a test shows nobody's real name. */
const TEST_NAMES = [
  'PixelPanda', 'LunaLurker', 'CaféComCodigo', 'NightOwl_42', 'TurboTatu', 'GlitchGoblin', 'SambaStreamer',
  'CaptainClip', 'MoonwalkMaru', 'ByteBardo', 'QueijoQuente', 'RetroRaccoon', 'FrostFalcon', 'PipocaPro',
] as const;
const TEST_WINNER = 'KinoYu Test';

/**
 * The overlay studio's server side: a streamer's overlay settings (validated, stored, announced
 * live to its overlay pages) and the test win, which only the overlay shows: it is published on
 * the overlayEvents topic and nothing else (no round, no outbox, no Discord, nothing stored).
 */
export class OverlayService {
  constructor(
    private readonly deps: {
      db: Db;
      events: EventBus;
      chatters: ChatterSource;
      now?: () => Date;
    },
  ) {}

  async settingsOf(streamerId: string): Promise<OverlaySettings> {
    const streamer = await this.deps.db.streamer.findUnique({ where: { id: streamerId }, select: { overlaySettings: true } });
    if (!streamer) throw new NotFoundError('Streamer', streamerId);
    return resolveOverlaySettings(streamer.overlaySettings);
  }

  /** Applies the patch (ValidationError with one problem per bad field) and tells the overlays. */
  async updateSettings(streamerId: string, patch: OverlaySettingsPatch): Promise<OverlaySettings> {
    const current = await this.settingsOf(streamerId);
    const result = applyOverlaySettingsPatch(current, patch);
    if (!result.ok) throw new ValidationError(result.problems);
    await this.deps.db.streamer.update({ where: { id: streamerId }, data: { overlaySettings: storableOverlaySettings(result.settings) } });
    // Committed: the overlay pages (on every instance) load the new settings.
    this.deps.events.publish('overlayEvents', streamerId, { kind: 'SETTINGS_CHANGED', at: this.now().toISOString() });
    return result.settings;
  }

  /** A fake win for the overlay pages only: one of the streamer's prizes (or a placeholder) and a made-up winner. */
  async sendTestWin(streamerId: string): Promise<{ at: Date }> {
    const { db, events } = this.deps;
    const streamer = await db.streamer.findUnique({
      where: { id: streamerId },
      select: { id: true, items: { where: { removedAt: null }, select: { name: true }, take: 20, orderBy: { createdAt: 'asc' } } },
    });
    if (!streamer) throw new NotFoundError('Streamer', streamerId);
    const at = this.now();
    const itemName = streamer.items.length > 0 ? streamer.items[randomInt(streamer.items.length)]!.name : 'Test prize';
    events.publish('overlayEvents', streamerId, {
      kind: 'TEST_WIN',
      at: at.toISOString(),
      itemName,
      winnerDisplayName: TEST_WINNER,
      reel: [...shuffled(TEST_NAMES), TEST_WINNER],
    });
    return { at };
  }

  /**
   * Display names for the reveal reel of a real win: a few people from the live chat (what
   * everyone watching the stream sees anyway), else the latest winners; never logins or ids.
   */
  async reelNames(streamerId: string, size: number): Promise<string[]> {
    const { db, chatters } = this.deps;
    const wanted = Math.min(Math.max(size, 1), REEL_MAX);
    const streamer = await db.streamer.findUnique({ where: { id: streamerId }, select: { id: true, twitchUserId: true, login: true } });
    if (!streamer) return [];
    let names: string[] = [];
    try {
      const snapshot = await chatters.snapshot(streamer);
      names = sample(snapshot.chatters, wanted)
        .filter((chatter) => chatter.userId !== streamer.twitchUserId)
        .map((chatter) => chatter.displayName || chatter.login);
    } catch {
      // Chat unavailable or not linked: the latest winners instead.
    }
    if (names.length < wanted) {
      const recent = await db.round.findMany({
        where: { raffle: { streamerId }, outcome: 'WINNER' },
        orderBy: { id: 'desc' },
        take: 50,
        select: { winnerDisplayName: true, winnerLogin: true },
      });
      const seen = new Set(names);
      for (const round of recent) {
        const name = round.winnerDisplayName || round.winnerLogin;
        if (!name || seen.has(name)) continue;
        seen.add(name);
        names.push(name);
        if (names.length >= wanted) break;
      }
    }
    return names;
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

function shuffled<T>(values: readonly T[]): T[] {
  const copy = [...values];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = randomInt(i + 1);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/** Up to `size` distinct entries at random, without copying a large list. */
function sample<T>(values: readonly T[], size: number): T[] {
  if (values.length <= size * 2) return shuffled(values).slice(0, size);
  const picked = new Set<number>();
  while (picked.size < size) picked.add(randomInt(values.length));
  return [...picked].map((index) => values[index]!);
}
