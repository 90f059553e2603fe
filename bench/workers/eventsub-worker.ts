/**
 * The Twitch stand-in with its EventSub WebSocket server in its own process: building and encoding
 * the notifications does not run on the event loop of the client being measured.
 */
import { createFakeTwitch, type FakeTwitch } from '../../test/stand-ins/twitch/fake-twitch';
import { serveRpc } from '../lib/rpc';

let twitch: FakeTwitch | undefined;
const broadcaster = { id: '1001', login: 'kinoyu', name: 'KinoYu' };

serveRpc({
  async start() {
    twitch = await createFakeTwitch();
    twitch.addUser({ id: broadcaster.id, login: broadcaster.login, displayName: broadcaster.name });
    const { accessToken } = twitch.issueToken({ userId: broadcaster.id, scopes: ['user:read:chat'] });
    return { apiUrl: twitch.apiUrl, eventsubUrl: twitch.eventsubUrl, clientId: twitch.clientId, accessToken, broadcaster };
  },
  async waitForSubscription() {
    await twitch!.eventsub.waitForSubscription(broadcaster.id, { timeoutMs: 30_000 });
    return null;
  },
  /**
   * Sends `count` chat messages as fast as the socket takes them: every other one is the keyword
   * from a new person (an entry), the rest chatter that does not enter. Yields between chunks.
   */
  async blast({ count, offset }: { count: number; offset: number }) {
    const started = performance.now();
    for (let i = 0; i < count; i += 1) {
      const n = offset + i;
      const person = { id: String(10_000_000 + n), login: `viewer${n}`, name: `Viewer${n}` };
      twitch!.eventsub.chatMessage({
        broadcaster,
        chatter: person,
        text: i % 2 === 0 ? `quero entrar no sorteio ${n}` : `oi chat, tudo bem? ${n}`,
        badges: n % 10 === 0 ? [{ set_id: 'subscriber', id: '12', info: '12' }] : [],
      });
      if (i % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
    }
    return { sendMs: performance.now() - started };
  },
  async exit() {
    await twitch?.close();
    setTimeout(() => process.exit(0), 20);
  },
});
