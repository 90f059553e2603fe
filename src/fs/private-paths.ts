/**
 * DATA_DIR holds the embedded database and the development secrets: owner-only, whatever the
 * umask. Modes are set with chmod after creating (mkdir's mode is filtered by the umask).
 */
import { chmod, lstat, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';

export const PRIVATE_DIRECTORY_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates `directory` (and missing parents) 0700. An existing directory owned by this user is
 * tightened to 0700; one owned by someone else is left alone (not ours to change).
 */
export async function ensurePrivateDirectory(directory: string): Promise<void> {
  await mkdir(directory, { recursive: true, mode: PRIVATE_DIRECTORY_MODE });
  const stats = await lstat(directory);
  if (!stats.isDirectory()) throw new Error(`${directory} is not a directory`);
  const ours = typeof process.getuid !== 'function' || stats.uid === process.getuid();
  if (ours && (stats.mode & 0o777) !== PRIVATE_DIRECTORY_MODE) await chmod(directory, PRIVATE_DIRECTORY_MODE);
}

/**
 * Removes group and world access from everything under `directory` (PGlite creates its files
 * 0666 and its directories with the umask). Symbolic links are not followed.
 */
export async function restrictTree(directory: string): Promise<void> {
  let entries;
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  await Promise.all(
    entries.map(async (entry) => {
      const full = path.join(directory, entry.name);
      if (entry.isDirectory()) {
        await stripGroupAndWorld(full);
        await restrictTree(full);
      } else if (entry.isFile()) {
        await stripGroupAndWorld(full);
      }
    }),
  );
}

async function stripGroupAndWorld(file: string): Promise<void> {
  try {
    const stats = await lstat(file);
    if ((stats.mode & 0o077) !== 0) await chmod(file, stats.mode & 0o700);
  } catch (error) {
    // Gone meanwhile (PGlite removes temporary files while running).
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
