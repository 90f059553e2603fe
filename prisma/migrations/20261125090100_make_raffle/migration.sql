-- make_raffle: the weighted prize draw.
--
-- Picks one of the streamer's items that still has copies to win, with probability
-- weight / (sum of weights), by the cumulative-sum method on ONE uniform value u in [0, 1) that
-- the caller generates (crypto) and stores on the round, so any draw can be re-computed:
--   target = floor(u * total); the chosen item is the first, in id order (bytewise, "C"), whose running sum of
--   weights exceeds target.
-- Returns no row when nothing is left. Reads only: the caller decrements the stock in the same
-- transaction.
CREATE OR REPLACE FUNCTION make_raffle(p_streamer_id TEXT, p_u DOUBLE PRECISION)
RETURNS TABLE (item_id TEXT, item_weight INTEGER, total_weight BIGINT)
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
  v_total BIGINT;
  v_target BIGINT;
BEGIN
  IF p_u IS NULL OR p_u < 0 OR p_u >= 1 THEN
    RAISE EXCEPTION 'make_raffle: u must be in [0, 1), got %', p_u USING ERRCODE = '22023';
  END IF;

  SELECT COALESCE(SUM(i."weight"), 0) INTO v_total
  FROM "items" i
  WHERE i."streamer_id" = p_streamer_id AND i."remaining" > 0 AND i."removed_at" IS NULL;

  IF v_total = 0 THEN
    RETURN;
  END IF;

  v_target := floor(p_u * v_total)::BIGINT;

  RETURN QUERY
  SELECT c."id", c."weight", v_total
  FROM (
    SELECT i."id", i."weight",
           SUM(i."weight") OVER (ORDER BY i."id" COLLATE "C" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cumulative
    FROM "items" i
    WHERE i."streamer_id" = p_streamer_id AND i."remaining" > 0 AND i."removed_at" IS NULL
  ) c
  WHERE c.cumulative > v_target
  ORDER BY c.cumulative
  LIMIT 1;
END;
$$;
