import { createBot } from './bot';
import { BotConfigError, loadBotConfig } from './config';

try {
  const bot = createBot(loadBotConfig());
  // Every handler catches its own errors; this is the last net, so a slip is logged, not fatal.
  process.on('unhandledRejection', (reason) => bot.logger.error({ err: reason }, 'unhandled rejection'));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void bot.stop().finally(() => process.exit(0)));
  await bot.start();
} catch (error) {
  console.error(error instanceof BotConfigError ? error.message : error);
  process.exit(1);
}
