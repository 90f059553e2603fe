-- Twitch link status: why and when a streamer's Twitch link ended (tokens revoked at Twitch,
-- or unlinked on purpose), so GraphQL can tell the streamer instead of just "not linked".
-- A linked streamer has a twitch_credentials row AND a twitch_user_id; unlinking clears both in
-- one transaction and records the reason here; linking again clears the reason.

-- AlterTable
ALTER TABLE "streamers" ADD COLUMN "twitch_unlinked_at" TIMESTAMPTZ(3),
ADD COLUMN "twitch_unlinked_reason" TEXT;

ALTER TABLE "streamers" ADD CONSTRAINT "streamers_twitch_unlinked_reason_known"
  CHECK ("twitch_unlinked_reason" IS NULL OR "twitch_unlinked_reason" IN ('TOKEN_REVOKED', 'UNLINKED'));

-- The outbox worker claims due PENDING rows per channel (FOR UPDATE SKIP LOCKED).
CREATE INDEX "outbox_messages_pending_due" ON "outbox_messages"("channel", "next_attempt_at") WHERE "status" = 'PENDING';
