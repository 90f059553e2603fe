import { spawn, type ChildProcess } from 'node:child_process';

export interface BotProcess {
  child: ChildProcess;
  /** The exit code, or the signal that ended the process. */
  exited: Promise<number | NodeJS.Signals | null>;
  /** stdout and stderr so far. */
  output(): string;
  /** Resolves on the `bot ready` log line; rejects if the process exits first or after `timeoutMs`. */
  ready(timeoutMs?: number): Promise<void>;
}

/**
 * One of the bot's scripts (`clients/discord-bot/main.ts`, `deploy-commands.ts`) in its own
 * process, as an operator runs it: `node --import tsx <script>` with only the given environment
 * (plus PATH and HOME). Every process started is in `children`, for the suite to kill.
 */
export function spawnBotScript(children: ChildProcess[], script: string, env: Record<string, string>, args: string[] = []): BotProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  return {
    child,
    exited,
    output: () => output,
    ready: (timeoutMs = 30_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!output.includes('"msg":"bot ready"')) return;
          clearTimeout(timer);
          child.stdout!.off('data', check);
          resolve();
        };
        const timer = setTimeout(() => reject(new Error(`no "bot ready" in ${timeoutMs} ms:\n${output}`)), timeoutMs);
        child.stdout!.on('data', check);
        check();
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`exited with ${String(code)}:\n${output}`));
        });
      }),
  };
}
