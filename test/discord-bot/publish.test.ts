import { describe, expect, it } from 'vitest';
import { announcementNonce, NONCE_MAX_LENGTH } from '../../clients/discord-bot/announcer/publish';

describe('announcement nonce', () => {
  it('is stable per round, within Discord\'s 25 characters, and differs between rounds', () => {
    const ids = ['1', '2', '12', '21', '9007199254740993', 'Um91bmQ6MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=', 'x'.repeat(400)];
    const nonces = ids.map(announcementNonce);
    expect(NONCE_MAX_LENGTH).toBe(25);
    for (const [i, nonce] of nonces.entries()) {
      expect(nonce).toHaveLength(25);
      expect(nonce).toMatch(/^w[\w-]{24}$/);
      expect(announcementNonce(ids[i]!)).toBe(nonce);
    }
    expect(new Set(nonces).size).toBe(ids.length);
  });
});
