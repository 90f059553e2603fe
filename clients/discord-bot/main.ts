import { createBot } from './bot';
import { BotConfigError, loadBotConfig } from './config';

try {
  const bot = createBot(loadBotConfig());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void bot.stop().then(() => process.exit(0)));
  await bot.start();
} catch (error) {
  console.error(error instanceof BotConfigError ? error.message : error);
  process.exit(1);
}
