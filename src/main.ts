import { createApp } from './app/app';
import { ConfigError, loadConfig } from './config/config';
import { resolveSecrets } from './config/dev-secrets';
import { createLogger } from './logging/logger';

try {
  const parsed = loadConfig(process.env);
  const logger = createLogger(parsed);
  const config = await resolveSecrets(parsed, logger);
  const app = createApp(config, { logger });
  await app.start();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'shutting down');
      app.stop().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
