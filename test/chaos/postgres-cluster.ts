import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A throw-away PostgreSQL cluster made with the machine's own binaries (/usr/lib/postgresql/<v>/bin),
 * run as the `postgres` user (initdb refuses root), with trust authentication, on a free port and a
 * socket folder of its own. A test can restart it under running apps.
 */

const POSTGRES_ROOT = '/usr/lib/postgresql';

/** Why a throw-away cluster cannot be made here, or null when it can. */
export function clusterUnavailableReason(): string | null {
  const bin = postgresBinDir();
  if (!bin) return `no PostgreSQL binaries under ${POSTGRES_ROOT}/*/bin`;
  if (process.getuid?.() !== 0) return 'not root (runuser -u postgres is needed to run initdb and pg_ctl)';
  if (spawnSync('id', ['-u', 'postgres'], { stdio: 'ignore' }).status !== 0) return 'no postgres user';
  if (spawnSync('runuser', ['--help'], { stdio: 'ignore' }).status !== 0) return 'no runuser';
  return null;
}

function postgresBinDir(): string | null {
  if (!existsSync(POSTGRES_ROOT)) return null;
  const versions = readdirSync(POSTGRES_ROOT)
    .filter((name) => existsSync(path.join(POSTGRES_ROOT, name, 'bin', 'initdb')) && existsSync(path.join(POSTGRES_ROOT, name, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(POSTGRES_ROOT, versions[0], 'bin') : null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export class ThrowAwayPostgres {
  private constructor(
    readonly folder: string,
    readonly port: number,
    private readonly bin: string,
  ) {}

  /** initdb into a new temporary folder owned by postgres, then start. */
  static async create(): Promise<ThrowAwayPostgres> {
    const bin = postgresBinDir();
    if (!bin) throw new Error('no PostgreSQL binaries');
    const folder = mkdtempSync(path.join(os.tmpdir(), 'kinoyu-chaos-pg-'));
    const cluster = new ThrowAwayPostgres(folder, await freePort(), bin);
    try {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
      chownSync(folder, uid, gid);
      cluster.asPostgres('initdb', ['-D', cluster.dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
      cluster.start();
    } catch (error) {
      cluster.remove();
      throw error;
    }
    return cluster;
  }

  get dataDir(): string {
    return path.join(this.folder, 'data');
  }

  url(database = 'postgres'): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/${database}`;
  }

  start(): void {
    this.pgCtl(['start']);
  }

  /** `pg_ctl restart -m fast`: every connection is cut, the server comes back on the same port. */
  restart(): void {
    this.pgCtl(['restart', '-m', 'fast']);
  }

  stop(): void {
    this.pgCtl(['stop', '-m', 'immediate']);
  }

  /** Stops the server if it runs (ignoring errors) and removes the folder. */
  remove(): void {
    if (existsSync(path.join(this.dataDir, 'postmaster.pid'))) {
      try {
        this.stop();
      } catch {
        // Already down.
      }
    }
    rmSync(this.folder, { recursive: true, force: true });
  }

  private pgCtl(args: string[]): void {
    const options = `-p ${this.port} -k ${this.folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`;
    this.asPostgres('pg_ctl', ['-D', this.dataDir, '-o', options, '-l', path.join(this.folder, 'server.log'), '-w', '-t', '30', ...args]);
  }

  private asPostgres(tool: string, args: string[]): void {
    // -l sends the server's output to a file: with pipes, the call would wait for the server to exit.
    execFileSync('runuser', ['-u', 'postgres', '--', path.join(this.bin, tool), ...args], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000, cwd: this.folder });
  }
}
