-- Entry modes and luck (issue 13, part A). A raffle says how people enter (PRESENCE: whoever is
-- in the chat, as before; KEYWORD: whoever typed the keyword since it started), how many tickets
-- each role holds (1-10, the highest applicable role counts), the claim window (0 = none, at most
-- 600 s) and which Shared Chat messages count (OWN_CHAT: only the streamer's own channel).
-- Keyword entries land in raffle_entries (one per person per raffle), so whichever instance draws
-- sees them; twitch_chat_streams holds the lease that makes exactly one instance read a
-- streamer's chat over EventSub, and the chat's status.

-- CreateEnum
CREATE TYPE "EntryMode" AS ENUM ('PRESENCE', 'KEYWORD');

-- CreateEnum
CREATE TYPE "SharedChatMode" AS ENUM ('OWN_CHAT', 'WHOLE_SESSION');

-- AlterTable
ALTER TABLE "raffles"
    ADD COLUMN "entry_mode" "EntryMode" NOT NULL DEFAULT 'PRESENCE',
    ADD COLUMN "entry_keyword" TEXT,
    ADD COLUMN "luck_subscriber" INTEGER NOT NULL DEFAULT 1,
    ADD COLUMN "luck_vip" INTEGER NOT NULL DEFAULT 1,
    ADD COLUMN "luck_moderator" INTEGER NOT NULL DEFAULT 1,
    ADD COLUMN "claim_seconds" INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN "shared_chat" "SharedChatMode" NOT NULL DEFAULT 'OWN_CHAT',
    ADD CONSTRAINT "raffles_luck_range" CHECK (
        "luck_subscriber" BETWEEN 1 AND 10 AND "luck_vip" BETWEEN 1 AND 10 AND "luck_moderator" BETWEEN 1 AND 10),
    ADD CONSTRAINT "raffles_claim_seconds_range" CHECK ("claim_seconds" BETWEEN 0 AND 600),
    ADD CONSTRAINT "raffles_keyword_entry" CHECK (
        ("entry_mode" = 'KEYWORD' AND "entry_keyword" IS NOT NULL AND char_length("entry_keyword") BETWEEN 1 AND 25)
        OR ("entry_mode" = 'PRESENCE' AND "entry_keyword" IS NULL));

-- CreateTable
CREATE TABLE "raffle_entries" (
    "raffle_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "login" TEXT NOT NULL,
    "display_name" TEXT NOT NULL,
    "subscriber" BOOLEAN NOT NULL DEFAULT false,
    "vip" BOOLEAN NOT NULL DEFAULT false,
    "moderator" BOOLEAN NOT NULL DEFAULT false,
    "first_message_at" TIMESTAMPTZ(3) NOT NULL,
    "message_id" TEXT NOT NULL,
    "source_broadcaster_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "raffle_entries_pkey" PRIMARY KEY ("raffle_id", "user_id")
);

-- AddForeignKey
ALTER TABLE "raffle_entries" ADD CONSTRAINT "raffle_entries_raffle_id_fkey" FOREIGN KEY ("raffle_id") REFERENCES "raffles"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- CreateTable
CREATE TABLE "twitch_chat_streams" (
    "streamer_id" TEXT NOT NULL,
    "lease_owner" TEXT,
    "lease_until" TIMESTAMPTZ(3),
    "status" TEXT NOT NULL DEFAULT 'IDLE',
    "status_message" TEXT,
    "status_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "twitch_chat_streams_pkey" PRIMARY KEY ("streamer_id")
);

-- AddForeignKey
ALTER TABLE "twitch_chat_streams" ADD CONSTRAINT "twitch_chat_streams_streamer_id_fkey" FOREIGN KEY ("streamer_id") REFERENCES "streamers"("id") ON DELETE CASCADE ON UPDATE CASCADE;
