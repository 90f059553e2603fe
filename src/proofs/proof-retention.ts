import type { Logger } from 'pino';
import type { Db } from '../db/database';

/**
 * PROOF_RETENTION_DAYS: the canonical inputs of rounds older than that are pruned (the commit's
 * itemsList, and entrant snapshots no kept commit refers to); hashes, sources, beacons and
 * outcomes stay, so a pruned round's proof still names what was committed. Runs at start-up and
 * then every `everyMs` on each instance (the statements are idempotent).
 */
export class ProofRetention {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly db: Db,
    private readonly retentionDays: number,
    private readonly logger: Logger,
    private readonly everyMs = 3_600_000,
  ) {}

  start(): void {
    const tick = () => {
      this.running = this.prune().catch((error: unknown) => this.logger.warn({ err: error }, 'proof retention failed; retrying later'));
    };
    tick();
    this.timer = setInterval(tick, this.everyMs);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass; returns how many commits and snapshots were pruned. */
  async prune(): Promise<{ commits: number; snapshots: number }> {
    const commits = await this.db.$executeRaw`
      UPDATE round_commits SET items_list = NULL, inputs_pruned_at = now()
       WHERE inputs_pruned_at IS NULL
         AND committed_at < now() - make_interval(days => ${this.retentionDays}::int)`;
    // A snapshot younger than an hour may belong to a commit being written right now.
    const snapshots = await this.db.$executeRaw`
      DELETE FROM entrant_snapshots s
       WHERE s.created_at < now() - interval '1 hour'
         AND NOT EXISTS (SELECT 1 FROM round_commits c WHERE c.entrants_hash = s.entrants_hash AND c.inputs_pruned_at IS NULL)`;
    if (commits > 0 || snapshots > 0) this.logger.info({ commits, snapshots, retentionDays: this.retentionDays }, 'pruned round inputs');
    return { commits, snapshots };
  }
}
