/**
 * Runs the Twitch stand-in on a fixed port for local development:
 *   npx tsx scripts/dev-twitch.ts        (PORT=4100 by default)
 * A demo broadcaster approves every authorization; ~500 chatters are in their chat.
 * Dev tool only: it reads process.env directly.
 */
import { createFakeTwitch } from '../test/stand-ins/twitch/fake-twitch.js';

const port = Number(process.env.PORT ?? 4100);
const twitch = await createFakeTwitch({
  port,
  clientId: process.env.TWITCH_CLIENT_ID ?? 'kinoyudevclient000000000000000',
  clientSecret: process.env.TWITCH_CLIENT_SECRET ?? 'kinoyudevsecret000000000000000',
});

const broadcaster = twitch.addUser({ id: '100000001', login: 'kinoyu_demo', displayName: 'KinoYu_Demo' });
twitch.generateChatters(broadcaster.id, 500);

console.log(`Twitch stand-in listening on ${twitch.baseUrl}`);
console.log(`Demo broadcaster: ${broadcaster.display_name} (id ${broadcaster.id}), 500 chatters`);
console.log('Use these in the server environment:');
console.log(`TWITCH_CLIENT_ID=${twitch.clientId}`);
console.log(`TWITCH_CLIENT_SECRET=${twitch.clientSecret}`);
console.log(`TWITCH_AUTH_URL=${twitch.authUrl}`);
console.log(`TWITCH_API_URL=${twitch.apiUrl}`);
console.log(`TWITCH_EVENTSUB_WS_URL=${twitch.eventsubUrl}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void twitch.close().then(() => process.exit(0));
  });
}
