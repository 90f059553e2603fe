/**
 * Where a machine's CPU went over a window, by process group: read from /proc/<pid>/stat (user +
 * system time of every process, Linux only; elsewhere `cpuSnapshot()` is undefined). A group is
 * named by a pid list (the bench's own workers) or by the process name (`postgres`, `redis-server`);
 * everything else is `other`. Processes that started within the window count with all their time;
 * those that ended within it are lost (short-lived ones are rare on a bench machine).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface CpuSnapshot {
  at: number;
  /** pid → [process name, CPU ticks so far] */
  processes: Map<number, [string, number]>;
}

export interface CpuGroup {
  name: string;
  /** Matches by pid (the bench's workers) or by process name (comm). */
  pids?: ReadonlySet<number>;
  comm?: string;
}

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

export function cpuSnapshot(): CpuSnapshot | undefined {
  if (process.platform !== 'linux') return undefined;
  const processes = new Map<number, [string, number]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // "pid (comm) state ppid …": comm may hold spaces and parentheses; fields go on after the last ')'.
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      processes.set(pid, [comm, Number(fields[11]) + Number(fields[12])]); // utime, stime
    } catch {
      // gone between readdir and read
    }
  }
  return { at: Date.now(), processes };
}

/** Cores used by each group between two snapshots (1 = one core busy all the window), plus `other`. */
export function coresByGroup(before: CpuSnapshot, after: CpuSnapshot, groups: CpuGroup[]): Record<string, number> {
  const seconds = (after.at - before.at) / 1000;
  const cores: Record<string, number> = Object.fromEntries([...groups.map((group) => [group.name, 0]), ['other', 0]]);
  if (seconds <= 0) return cores;
  for (const [pid, [comm, ticks]] of after.processes) {
    const earlier = before.processes.get(pid);
    const used = ticks - (earlier && earlier[0] === comm ? earlier[1] : 0);
    const group = groups.find((candidate) => candidate.pids?.has(pid) || candidate.comm === comm)?.name ?? 'other';
    cores[group]! += used / clockTicks() / seconds;
  }
  return cores;
}
