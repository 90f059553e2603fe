/**
 * Tiny request/response over the Node IPC channel between the bench orchestrator and the worker
 * processes it forks (API instances, bare ws servers, client fleets). Every call has a timeout so
 * a stuck worker fails the bench instead of hanging it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Session } from 'node:inspector/promises';
import { runInNewContext } from 'node:vm';

type Handler = (params: any) => unknown;

interface RpcRequest {
  rpc: number;
  method: string;
  params: unknown;
}

interface RpcResponse {
  rpc: number;
  result?: unknown;
  error?: string;
}

/**
 * In a worker: answers the orchestrator's calls; `exit` ends the process after answering. Every
 * worker also answers `cpuProfileStart` and `cpuProfileStop({ file })` (a V8 CPU profile of what
 * runs in between, written as a .cpuprofile; see bench/profile-summary.ts).
 */
export function serveRpc(own: Record<string, Handler>): void {
  const handlers: Record<string, Handler> = { ...cpuProfiler(), ...own };
  if (!process.send) throw new Error('serveRpc: not started with an IPC channel (use spawnWorker)');
  process.on('message', (message: RpcRequest) => {
    if (typeof message !== 'object' || message === null || typeof message.rpc !== 'number') return;
    const handler = handlers[message.method];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown method ${message.method}`);
        return handler(message.params);
      })
      .then(
        (result) => process.send!({ rpc: message.rpc, result: result ?? null } satisfies RpcResponse),
        (error: unknown) =>
          process.send!({ rpc: message.rpc, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
      );
  });
  // The orchestrator went away (crash, Ctrl-C): do not linger.
  process.on('disconnect', () => process.exit(0));
}

export interface Worker {
  readonly pid: number;
  readonly process: ChildProcess;
  call<T = unknown>(method: string, params?: unknown, timeoutMs?: number): Promise<T>;
  /** Asks the worker to exit (it answers `exit` by closing what it opened), then kills it if needed. */
  stop(): Promise<void>;
}

/** Forks `file` (a .ts module beside the caller) under tsx, with --expose-gc for memory probes. */
export function spawnWorker(file: URL, options: { name: string; heapMb?: number } = { name: 'worker' }): Worker {
  const execArgv = ['--import', 'tsx', '--expose-gc', ...(process.env.BENCH_WORKER_FLAGS ?? '').split(' ').filter(Boolean)];
  if (options.heapMb) execArgv.push(`--max-old-space-size=${options.heapMb}`);
  const child = fork(fileURLToPath(file), [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
  let next = 0;
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void; timer: NodeJS.Timeout }>();
  let exited = false;
  child.on('message', (message: RpcResponse) => {
    const call = pending.get(message.rpc);
    if (!call) return;
    pending.delete(message.rpc);
    clearTimeout(call.timer);
    if (message.error !== undefined) call.reject(new Error(`${options.name}: ${message.error}`));
    else call.resolve(message.result);
  });
  child.on('exit', (code, signal) => {
    exited = true;
    for (const [, call] of pending) {
      clearTimeout(call.timer);
      call.reject(new Error(`${options.name} exited (${code ?? signal}) during a call`));
    }
    pending.clear();
  });
  const worker: Worker = {
    pid: child.pid!,
    process: child,
    call<T>(method: string, params?: unknown, timeoutMs = 60_000): Promise<T> {
      if (exited) return Promise.reject(new Error(`${options.name} has exited`));
      const rpc = ++next;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(rpc);
          reject(new Error(`${options.name}: ${method} did not answer within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(rpc, { resolve: resolve as (value: unknown) => void, reject, timer });
        child.send({ rpc, method, params } satisfies RpcRequest);
      });
    },
    async stop() {
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      await worker.call('exit', undefined, 15_000).catch(() => {});
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await gone;
      clearTimeout(timer);
    },
  };
  return worker;
}

/** Monotonic clock shared by every process on the machine (CLOCK_MONOTONIC), in ms. */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

let gcFunction: (() => void) | undefined;

/** global.gc, also in a process started without --expose-gc (the orchestrator under tsx). */
function collector(): () => void {
  if (!gcFunction) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (exposed) gcFunction = exposed;
    else {
      v8.setFlagsFromString('--expose-gc');
      gcFunction = runInNewContext('gc') as () => void;
    }
  }
  return gcFunction;
}

/** Heap and RSS after two full collections (the worker runs with --expose-gc). */
export function settledMemory(): { heapUsed: number; rss: number; external: number; arrayBuffers: number } {
  const gc = collector();
  gc();
  gc();
  const { heapUsed, rss, external, arrayBuffers } = process.memoryUsage();
  return { heapUsed, rss, external, arrayBuffers };
}

/** Starts and stops the V8 sampling profilers (CPU, heap) of this process through the inspector protocol. */
function cpuProfiler(): Record<string, Handler> {
  let session: Session | undefined;
  let heapSession: Session | undefined;
  return {
    async cpuProfileStart() {
      session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 200 });
      await session.post('Profiler.start');
    },
    async cpuProfileStop({ file }: { file: string }) {
      if (!session) throw new Error('cpuProfileStart first');
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      session = undefined;
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, JSON.stringify(profile));
    },
    /** Sampling heap profiler: what was allocated from now on and is still alive at the stop. */
    async heapProfileStart() {
      heapSession = new Session();
      heapSession.connect();
      await heapSession.post('HeapProfiler.enable');
      await heapSession.post('HeapProfiler.startSampling', { samplingInterval: 512 });
    },
    async heapProfileStop({ file }: { file: string }) {
      if (!heapSession) throw new Error('heapProfileStart first');
      collector()();
      const { profile } = await heapSession.post('HeapProfiler.stopSampling');
      heapSession.disconnect();
      heapSession = undefined;
      await writeFile(file, JSON.stringify(profile));
    },
  };
}
