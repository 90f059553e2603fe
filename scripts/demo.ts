// `npm run demo`: the API on the embedded database with a demo streamer whose raffle is running,
// so GraphiQL, the overlay page and subscriptions have something to show at once.
import { createApp } from '../src/app/app';
import { loadConfig } from '../src/config/config';
import { resolveSecrets } from '../src/config/dev-secrets';
import { createLogger } from '../src/logging/logger';

const DEMO_GUILD_ID = '100000000000000001';

const parsed = loadConfig(process.env);
const logger = createLogger(parsed);
const config = await resolveSecrets(parsed, logger);
const app = createApp(config, { logger });
const { services } = await app.start();

const streamer = await services.streamers.ensureForGuild(DEMO_GUILD_ID);
if ((await services.items.remainingStock(streamer.id)) === 0) {
  await services.items.addItemsFromText(streamer.id, `golden skin ${Date.now() % 1000}:5, silver skin:25:3, sticker pack:70:10`);
}
const running = await services.db.raffle.findFirst({ where: { streamerId: streamer.id, status: 'RUNNING' } });
const raffle = running ?? (await services.raffles.start({ streamerId: streamer.id, intervalSeconds: 15, drawChance: 0.8 }));

console.log(`
Demo streamer ${streamer.id} (guild ${DEMO_GUILD_ID}), raffle ${raffle.id} drawing every ${raffle.intervalSeconds} s.
  GraphiQL:  ${config.http.publicUrl ?? `http://localhost:${config.http.port}`}/graphql
             header  {"Authorization": "Bearer ${config.apiToken}"}
  Overlay:   ${services.streamers.overlayUrl(streamer)}
Ctrl+C stops.`);

process.once('SIGINT', () => void app.stop().then(() => process.exit(0)));
process.once('SIGTERM', () => void app.stop().then(() => process.exit(0)));
