import { randomBytes } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { ensurePrivateDirectory, PRIVATE_FILE_MODE } from '../fs/private-paths';
import { requireSecrets, type Config, type ResolvedConfig } from './config';

interface StoredSecrets {
  apiToken?: string;
  tokenEncryptionKey?: string;
  sessionSecret?: string;
}

/**
 * Development convenience: a missing API_TOKEN, TOKEN_ENCRYPTION_KEY or SESSION_SECRET is generated once and kept
 * in DATA_DIR/secrets.json so restarts keep working. Production config requires them (see config).
 */
export async function resolveSecrets(config: Config, logger: Logger): Promise<ResolvedConfig> {
  // Both given: SESSION_SECRET, when missing, is derived from API_TOKEN (requireSecrets).
  if (config.apiToken && config.tokenEncryptionKeys) return requireSecrets(config);
  const file = path.join(config.database.dataDir, 'secrets.json');
  const stored = await readStoredSecrets(file);
  let changed = false;
  if (!config.apiToken && !stored.apiToken) {
    stored.apiToken = randomBytes(32).toString('base64url');
    changed = true;
  }
  if (!config.tokenEncryptionKeys && !stored.tokenEncryptionKey) {
    stored.tokenEncryptionKey = randomBytes(32).toString('base64');
    changed = true;
  }
  if (!config.sessionSecret && !stored.sessionSecret) {
    stored.sessionSecret = randomBytes(32).toString('base64url');
    changed = true;
  }
  await ensurePrivateDirectory(config.database.dataDir);
  if (changed) await writeFile(file, JSON.stringify(stored, null, 2), { mode: PRIVATE_FILE_MODE });
  // writeFile's mode applies only when it creates the file, and through the umask: set it outright.
  await chmod(file, PRIVATE_FILE_MODE);
  logger.warn(
    { file },
    `development secrets: ${config.apiToken ? '' : 'API_TOKEN '}${config.tokenEncryptionKeys ? '' : 'TOKEN_ENCRYPTION_KEY '}${config.sessionSecret ? '' : 'SESSION_SECRET '}taken from ${file}${changed ? ' (generated now)' : ''}; set them in the environment for production`,
  );
  return requireSecrets(config, {
    apiToken: stored.apiToken,
    sessionSecret: stored.sessionSecret,
    tokenEncryptionKeys: stored.tokenEncryptionKey === undefined ? undefined : [Buffer.from(stored.tokenEncryptionKey, 'base64')],
  });
}

async function readStoredSecrets(file: string): Promise<StoredSecrets> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as StoredSecrets;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
}
