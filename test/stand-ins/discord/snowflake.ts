/**
 * Discord snowflakes: 42 bits of milliseconds since the Discord epoch, 5 bits worker,
 * 5 bits process, 12 bits increment. Ids made here sort by creation time like real ones,
 * so `before`/`after` pagination and discord.js' `createdTimestamp` behave.
 */
export const DISCORD_EPOCH = 1_420_070_400_000n;

const WORKER_ID = 1n;
let processId = BigInt(process.pid & 0x1f);
let increment = 0n;

export function snowflake(at: number = Date.now()): string {
  const id = ((BigInt(at) - DISCORD_EPOCH) << 22n) | (WORKER_ID << 17n) | (processId << 12n) | (increment & 0xfffn);
  increment = (increment + 1n) & 0xfffn;
  return id.toString();
}

export function snowflakeTimestamp(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}

export function isSnowflake(value: unknown): value is string {
  return typeof value === 'string' && /^\d{17,20}$/.test(value);
}

/** For deterministic ids in a test that needs them. */
export function resetSnowflakeProcess(pid: number): void {
  processId = BigInt(pid & 0x1f);
}
