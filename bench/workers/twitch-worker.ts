/**
 * The Twitch stand-in in its own process (as Twitch is not in ours): its page building and JSON
 * encoding do not run on the event loop of the client being measured.
 */
import { createFakeTwitch, type FakeTwitch } from '../../test/stand-ins/twitch/fake-twitch';
import { serveRpc } from '../lib/rpc';

let twitch: FakeTwitch | undefined;

serveRpc({
  async start({ pageLatencyMs, broadcaster, chatters }: { pageLatencyMs: number; broadcaster: { id: string; login: string; displayName: string }; chatters: number }) {
    twitch = await createFakeTwitch({ pageLatencyMs });
    twitch.addUser(broadcaster);
    const { accessToken } = twitch.issueToken({ userId: broadcaster.id, scopes: ['moderator:read:chatters'] });
    // Overlapping pages, as Twitch sends them while the chat changes: the client must dedupe.
    twitch.generateChatters(broadcaster.id, chatters, { overlapPages: true });
    return { apiUrl: twitch.apiUrl, clientId: twitch.clientId, accessToken };
  },
  /** A full rate-limit bucket (800 points) for the next fetch. */
  refill: () => twitch?.throttle(800),
  setPageLatency: ({ ms }: { ms: number }) => twitch?.setPageLatency(ms),
  async exit() {
    await twitch?.close();
    setTimeout(() => process.exit(0), 20);
  },
});
