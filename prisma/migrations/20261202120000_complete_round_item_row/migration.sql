-- complete_round also returns the won item's row as written (to_jsonb, after its copy was taken;
-- null unless the round is a WINNER). The drawing instance publishes it with the round in the
-- winnerDrawn event, so the instances that fan the win out to subscribers answer the contract's
-- RoundFields (item { id name weight }) without a database read (issue 14, fan-out).
-- Everything else is 20261202100000_complete_round, unchanged; a function's result columns can
-- only change by dropping and creating it again.
DROP FUNCTION complete_round(TEXT, TEXT, INTEGER, BOOLEAN, TEXT, TEXT, DOUBLE PRECISION, INTEGER, TEXT, TEXT, TEXT, INTEGER, BIGINT, BIGINT, DOUBLE PRECISION, DOUBLE PRECISION, INTEGER, TEXT, TEXT, TEXT, INTEGER, TEXT[]);

CREATE FUNCTION complete_round(
  p_raffle_id TEXT,
  p_token TEXT,
  p_number INTEGER,
  p_forced BOOLEAN,
  p_outcome TEXT,
  p_commit_hash TEXT,
  p_chance_value DOUBLE PRECISION,
  p_eligible_count INTEGER,
  p_beacon_randomness TEXT,
  p_beacon_signature TEXT,
  p_item_id TEXT,
  p_item_weight INTEGER,
  p_total_weight BIGINT,
  p_prize_target BIGINT,
  p_draw_value DOUBLE PRECISION,
  p_winner_target DOUBLE PRECISION,
  p_winner_index INTEGER,
  p_winner_user_id TEXT,
  p_winner_login TEXT,
  p_winner_display_name TEXT,
  p_winner_tickets INTEGER,
  p_channels TEXT[]
)
RETURNS TABLE (round_row JSONB, raffle_row JSONB, item_row JSONB, made_item_id TEXT, made_total_weight BIGINT)
LANGUAGE plpgsql
VOLATILE
-- Every statement here (make_raffle's included) is planned for the actual streamer. PL/pgSQL
-- would switch to a generic plan after five calls per session, and the generic plan of the
-- "any copy left?" EXISTS is a sequential scan with an early exit: over a table where another
-- streamer holds 100k items it read them all, 15-25 ms a round instead of 0.3 ms.
SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
  v_raffle RECORD;
  v_now TIMESTAMPTZ(3);
  v_outcome TEXT := p_outcome;
  v_reroll_of INTEGER;
  v_made_item TEXT;
  v_made_total BIGINT;
  v_taken BOOLEAN := FALSE;
  v_winner BOOLEAN;
  v_next TIMESTAMPTZ(3);
  v_behind BIGINT;
  v_ends BOOLEAN;
  v_round JSONB;
  v_round_id INTEGER;
  v_raffle_row JSONB;
  v_item JSONB;
BEGIN
  SELECT f."status"::text AS status, f."lease_owner", f."round_count", f."pending_reroll_of", f."streamer_id",
         f."next_round_at", f."interval_seconds", f."claim_seconds"
    INTO v_raffle
    FROM "raffles" f
   WHERE f."id" = p_raffle_id
     FOR UPDATE;
  IF NOT FOUND OR v_raffle.status <> 'RUNNING' OR v_raffle.lease_owner IS DISTINCT FROM p_token
     OR v_raffle.round_count + 1 <> p_number THEN
    RETURN;
  END IF;

  -- Milliseconds, like every timestamp column here, so at, claim_deadline and next_round_at agree.
  v_now := date_trunc('milliseconds', clock_timestamp());
  -- A reroll waits for the next forced round (FAIRNESS.md: forced = 1), which links to it.
  v_reroll_of := CASE WHEN p_forced THEN v_raffle.pending_reroll_of END;

  IF p_outcome = 'WINNER' THEN
    SELECT m.item_id, m.total_weight INTO v_made_item, v_made_total FROM make_raffle(v_raffle.streamer_id, p_prize_target) m;
    IF v_made_item IS NOT DISTINCT FROM p_item_id AND v_made_total IS NOT DISTINCT FROM p_total_weight THEN
      UPDATE "items" SET "remaining" = "remaining" - 1 WHERE "id" = p_item_id AND "remaining" > 0
      RETURNING to_jsonb("items".*) INTO v_item;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'complete_round: item % had no copy left to take', p_item_id;
      END IF;
      v_taken := TRUE;
    ELSE
      UPDATE "items" SET "remaining" = "remaining" - 1 WHERE "id" = p_item_id AND "removed_at" IS NULL AND "remaining" > 0
      RETURNING to_jsonb("items".*) INTO v_item;
      v_taken := FOUND;
    END IF;
    IF NOT v_taken THEN
      v_outcome := 'NO_ITEMS';
    END IF;
  END IF;
  v_winner := v_outcome = 'WINNER';

  INSERT INTO "rounds" (
    "reroll_of_id", "raffle_id", "number", "at", "outcome", "chance_value", "eligible_count", "commit_hash",
    "beacon_randomness", "beacon_signature",
    "draw_value", "prize_target", "winner_target", "item_id", "item_weight", "total_weight",
    "winner_index", "winner_user_id", "winner_login", "winner_display_name", "winner_tickets",
    "claim_status", "claim_deadline"
  ) VALUES (
    v_reroll_of, p_raffle_id, p_number, v_now, v_outcome::"RoundOutcome", p_chance_value, p_eligible_count, p_commit_hash,
    p_beacon_randomness, p_beacon_signature,
    CASE WHEN v_winner THEN p_draw_value END,
    CASE WHEN v_winner THEN p_prize_target::double precision END,
    CASE WHEN v_winner THEN p_winner_target END,
    CASE WHEN v_winner THEN p_item_id END,
    CASE WHEN v_winner THEN p_item_weight END,
    CASE WHEN v_winner THEN p_total_weight::integer END,
    CASE WHEN v_winner THEN p_winner_index END,
    CASE WHEN v_winner THEN p_winner_user_id END,
    CASE WHEN v_winner THEN p_winner_login END,
    CASE WHEN v_winner THEN p_winner_display_name END,
    CASE WHEN v_winner THEN p_winner_tickets END,
    -- A claim window: the winner has claim_seconds to type !claim (claims.service.ts).
    CASE WHEN v_winner AND v_raffle.claim_seconds > 0 THEN 'PENDING'::"ClaimStatus" END,
    CASE WHEN v_winner AND v_raffle.claim_seconds > 0 THEN v_now + make_interval(secs => v_raffle.claim_seconds) END
  )
  RETURNING "id", to_jsonb("rounds".*) INTO v_round_id, v_round;

  IF v_winner AND cardinality(p_channels) > 0 THEN
    INSERT INTO "outbox_messages" ("round_id", "channel") SELECT v_round_id, c FROM unnest(p_channels) AS c;
  END IF;

  -- nextRoundAt (round-schedule.ts): a forced round before the due time leaves the schedule; else
  -- due + interval, or the first slot still in the future when that one is past too.
  IF v_raffle.next_round_at > v_now THEN
    v_next := v_raffle.next_round_at;
  ELSE
    v_next := v_raffle.next_round_at + make_interval(secs => v_raffle.interval_seconds);
    IF v_next <= v_now THEN
      v_behind := floor(extract(epoch FROM (v_now - v_next)) * 1000 / (v_raffle.interval_seconds * 1000::bigint))::bigint + 1;
      v_next := v_next + make_interval(secs => v_behind * v_raffle.interval_seconds);
    END IF;
  END IF;

  -- The last copy waiting for a claim keeps the raffle running until the claim is decided.
  v_ends := NOT EXISTS (
              SELECT 1 FROM "items" i
               WHERE i."streamer_id" = v_raffle.streamer_id AND i."removed_at" IS NULL AND i."remaining" > 0)
            AND NOT EXISTS (SELECT 1 FROM "rounds" r WHERE r."raffle_id" = p_raffle_id AND r."claim_status" = 'PENDING');

  UPDATE "raffles" f
     SET "round_count" = p_number,
         "next_round_at" = v_next,
         "lease_owner" = NULL,
         "lease_until" = NULL,
         "pending_reroll_of" = CASE WHEN v_reroll_of IS NOT NULL THEN NULL ELSE f."pending_reroll_of" END,
         "status" = CASE WHEN v_ends THEN 'FINISHED'::"RaffleStatus" ELSE f."status" END,
         "end_reason" = CASE WHEN v_ends THEN 'ITEMS_EXHAUSTED'::"RaffleEndReason" ELSE f."end_reason" END,
         "ended_at" = CASE WHEN v_ends THEN v_now ELSE f."ended_at" END
   WHERE f."id" = p_raffle_id
  RETURNING to_jsonb(f.*) INTO v_raffle_row;

  RETURN QUERY SELECT v_round, v_raffle_row, v_item, v_made_item, v_made_total;
END;
$$;
