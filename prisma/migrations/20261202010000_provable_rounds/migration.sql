-- Provable rounds (issue 12, FAIRNESS.md v1). Every round commits to its canonical inputs before
-- its randomness exists, then draws with the derivation; make_raffle takes the derivation's
-- integer target t.

-- A raffle's source of randomness; sealed raffles keep their serverSeed sealed (AES-256-GCM,
-- bound to raffles/server_seed_enc/<id>) and publish only its SHA-256 until they end.
CREATE TYPE "FairnessMode" AS ENUM ('SEALED', 'DRAND');

ALTER TABLE "raffles"
  ADD COLUMN "fairness" "FairnessMode" NOT NULL DEFAULT 'SEALED',
  ADD COLUMN "seal_hash" TEXT,
  ADD COLUMN "server_seed_enc" TEXT;

-- A drand round whose beacon did not arrive in time: no prize taken, tried again next interval.
ALTER TYPE "RoundOutcome" ADD VALUE IF NOT EXISTS 'BEACON_UNAVAILABLE';

-- The entrants of a round as committed: content-addressed by entrantsHash (identical snapshots
-- are stored once), gzip of the canonical JSON [[userId, login, displayName, tickets], ...].
CREATE TABLE "entrant_snapshots" (
    "entrants_hash" TEXT NOT NULL,
    "entrant_count" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "entrant_snapshots_pkey" PRIMARY KEY ("entrants_hash")
);

-- The commit of a round (written and published before the randomness is known), keyed like the
-- round it leads to. A commit without its round is completed by whichever instance claims the
-- raffle next, with the same inputs. Retention clears items_list (and unreferenced snapshots)
-- but keeps every hash.
CREATE TABLE "round_commits" (
    "raffle_id" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "forced" BOOLEAN NOT NULL,
    "chance_ppm" INTEGER NOT NULL,
    "items_hash" TEXT NOT NULL,
    "items_list" TEXT,
    "entrants_hash" TEXT NOT NULL,
    "entrant_count" INTEGER NOT NULL,
    "source" TEXT NOT NULL,
    "beacon_round" INTEGER,
    "commit_hash" TEXT NOT NULL,
    "committed_at" TIMESTAMPTZ(3) NOT NULL,
    "inputs_pruned_at" TIMESTAMPTZ(3),

    CONSTRAINT "round_commits_pkey" PRIMARY KEY ("raffle_id", "number"),
    CONSTRAINT "round_commits_raffle_id_fkey" FOREIGN KEY ("raffle_id") REFERENCES "raffles"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "round_commits_entrants_hash_idx" ON "round_commits"("entrants_hash");
CREATE INDEX "round_commits_committed_at_idx" ON "round_commits"("committed_at");

ALTER TABLE "rounds"
  ADD COLUMN "commit_hash" TEXT,
  ADD COLUMN "beacon_randomness" TEXT,
  ADD COLUMN "beacon_signature" TEXT,
  ADD COLUMN "prize_target" DOUBLE PRECISION,
  ADD COLUMN "winner_target" DOUBLE PRECISION;

-- make_raffle now takes the derivation's integer target t in [0, total weight) instead of a
-- uniform u: the first item (bytewise id order) whose running sum of weights exceeds t, the same
-- rule as FAIRNESS.md's "Prize" over itemsList.
DROP FUNCTION IF EXISTS make_raffle(TEXT, DOUBLE PRECISION);
CREATE FUNCTION make_raffle(p_streamer_id TEXT, p_target BIGINT)
RETURNS TABLE (item_id TEXT, item_weight INTEGER, total_weight BIGINT)
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
  v_total BIGINT;
BEGIN
  SELECT COALESCE(SUM(i."weight"), 0) INTO v_total
  FROM "items" i
  WHERE i."streamer_id" = p_streamer_id AND i."remaining" > 0 AND i."removed_at" IS NULL;

  IF v_total = 0 THEN
    RETURN;
  END IF;

  IF p_target IS NULL OR p_target < 0 OR p_target >= v_total THEN
    RAISE EXCEPTION 'make_raffle: target must be in [0, %), got %', v_total, p_target USING ERRCODE = '22023';
  END IF;

  RETURN QUERY
  SELECT c."id", c."weight", v_total
  FROM (
    SELECT i."id", i."weight",
           SUM(i."weight") OVER (ORDER BY i."id" COLLATE "C" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cumulative
    FROM "items" i
    WHERE i."streamer_id" = p_streamer_id AND i."remaining" > 0 AND i."removed_at" IS NULL
  ) c
  WHERE c.cumulative > p_target
  ORDER BY c.cumulative
  LIMIT 1;
END;
$$;
