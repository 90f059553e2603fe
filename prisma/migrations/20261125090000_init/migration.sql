-- CreateEnum
CREATE TYPE "RaffleStatus" AS ENUM ('RUNNING', 'STOPPED', 'FINISHED');

-- CreateEnum
CREATE TYPE "RaffleEndReason" AS ENUM ('ITEMS_EXHAUSTED', 'STOPPED', 'TWITCH_UNLINKED');

-- CreateEnum
CREATE TYPE "RoundOutcome" AS ENUM ('WINNER', 'SKIPPED', 'NO_ELIGIBLE_CHATTERS', 'NO_ITEMS');

-- CreateEnum
CREATE TYPE "OutboxStatus" AS ENUM ('PENDING', 'SENT', 'DROPPED', 'FAILED');

-- CreateTable
CREATE TABLE "streamers" (
    "id" TEXT NOT NULL,
    "guild_id" TEXT NOT NULL,
    "twitch_user_id" TEXT,
    "login" TEXT,
    "display_name" TEXT,
    "announce_channel_id" TEXT,
    "overlay_key" TEXT NOT NULL,
    "locale" TEXT NOT NULL DEFAULT 'pt-BR',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "streamers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "twitch_credentials" (
    "streamer_id" TEXT NOT NULL,
    "access_token_enc" TEXT NOT NULL,
    "refresh_token_enc" TEXT NOT NULL,
    "scopes" TEXT[],
    "expires_at" TIMESTAMPTZ(3),
    "validated_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "twitch_credentials_pkey" PRIMARY KEY ("streamer_id")
);

-- CreateTable
CREATE TABLE "twitch_link_states" (
    "state_hash" TEXT NOT NULL,
    "guild_id" TEXT NOT NULL,
    "discord_user_id" TEXT,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "twitch_link_states_pkey" PRIMARY KEY ("state_hash")
);

-- CreateTable
CREATE TABLE "items" (
    "id" TEXT NOT NULL,
    "streamer_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "weight" INTEGER NOT NULL,
    "stock" INTEGER NOT NULL DEFAULT 1,
    "remaining" INTEGER NOT NULL DEFAULT 1,
    "removed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "items_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "raffles" (
    "id" TEXT NOT NULL,
    "streamer_id" TEXT NOT NULL,
    "status" "RaffleStatus" NOT NULL DEFAULT 'RUNNING',
    "interval_seconds" INTEGER NOT NULL,
    "draw_chance" DOUBLE PRECISION NOT NULL,
    "allow_repeat_winners" BOOLEAN NOT NULL DEFAULT false,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ended_at" TIMESTAMPTZ(3),
    "end_reason" "RaffleEndReason",
    "round_count" INTEGER NOT NULL DEFAULT 0,
    "next_round_at" TIMESTAMPTZ(3) NOT NULL,
    "lease_owner" TEXT,
    "lease_until" TIMESTAMPTZ(3),

    CONSTRAINT "raffles_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rounds" (
    "id" SERIAL NOT NULL,
    "raffle_id" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "outcome" "RoundOutcome" NOT NULL,
    "chance_value" DOUBLE PRECISION,
    "draw_value" DOUBLE PRECISION,
    "item_id" TEXT,
    "eligible_count" INTEGER NOT NULL DEFAULT 0,
    "winner_index" INTEGER,
    "winner_user_id" TEXT,
    "winner_login" TEXT,
    "winner_display_name" TEXT,
    "item_weight" INTEGER,
    "total_weight" INTEGER,
    "discord_announced_at" TIMESTAMPTZ(3),

    CONSTRAINT "rounds_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outbox_messages" (
    "id" SERIAL NOT NULL,
    "round_id" INTEGER NOT NULL,
    "channel" TEXT NOT NULL,
    "status" "OutboxStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_error" TEXT,
    "drop_reason" TEXT,
    "external_id" TEXT,
    "sent_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "outbox_messages_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "streamers_guild_id_key" ON "streamers"("guild_id");

-- CreateIndex
CREATE UNIQUE INDEX "streamers_twitch_user_id_key" ON "streamers"("twitch_user_id");

-- CreateIndex
CREATE UNIQUE INDEX "streamers_overlay_key_key" ON "streamers"("overlay_key");

-- CreateIndex
CREATE INDEX "twitch_link_states_expires_at_idx" ON "twitch_link_states"("expires_at");

-- CreateIndex
CREATE INDEX "items_streamer_id_idx" ON "items"("streamer_id");

-- CreateIndex
CREATE INDEX "raffles_streamer_id_started_at_idx" ON "raffles"("streamer_id", "started_at");

-- CreateIndex
CREATE INDEX "raffles_status_next_round_at_idx" ON "raffles"("status", "next_round_at");

-- CreateIndex
CREATE UNIQUE INDEX "rounds_raffle_id_number_key" ON "rounds"("raffle_id", "number");

-- CreateIndex
CREATE INDEX "outbox_messages_status_next_attempt_at_idx" ON "outbox_messages"("status", "next_attempt_at");

-- CreateIndex
CREATE UNIQUE INDEX "outbox_messages_round_id_channel_key" ON "outbox_messages"("round_id", "channel");

-- AddForeignKey
ALTER TABLE "twitch_credentials" ADD CONSTRAINT "twitch_credentials_streamer_id_fkey" FOREIGN KEY ("streamer_id") REFERENCES "streamers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "items" ADD CONSTRAINT "items_streamer_id_fkey" FOREIGN KEY ("streamer_id") REFERENCES "streamers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "raffles" ADD CONSTRAINT "raffles_streamer_id_fkey" FOREIGN KEY ("streamer_id") REFERENCES "streamers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rounds" ADD CONSTRAINT "rounds_raffle_id_fkey" FOREIGN KEY ("raffle_id") REFERENCES "raffles"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rounds" ADD CONSTRAINT "rounds_item_id_fkey" FOREIGN KEY ("item_id") REFERENCES "items"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "outbox_messages" ADD CONSTRAINT "outbox_messages_round_id_fkey" FOREIGN KEY ("round_id") REFERENCES "rounds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Rules Prisma's schema language cannot express; the database enforces them for every writer.
ALTER TABLE "items" ADD CONSTRAINT "items_weight_positive" CHECK ("weight" > 0);
ALTER TABLE "items" ADD CONSTRAINT "items_stock_positive" CHECK ("stock" >= 1);
ALTER TABLE "items" ADD CONSTRAINT "items_remaining_within_stock" CHECK ("remaining" >= 0 AND "remaining" <= "stock");
ALTER TABLE "items" ADD CONSTRAINT "items_name_length" CHECK (char_length("name") BETWEEN 1 AND 100);
CREATE UNIQUE INDEX "items_active_name_per_streamer" ON "items"("streamer_id", lower("name")) WHERE "removed_at" IS NULL;

ALTER TABLE "raffles" ADD CONSTRAINT "raffles_interval_positive" CHECK ("interval_seconds" >= 1);
ALTER TABLE "raffles" ADD CONSTRAINT "raffles_draw_chance_range" CHECK ("draw_chance" > 0 AND "draw_chance" <= 1);
ALTER TABLE "raffles" ADD CONSTRAINT "raffles_end_consistent" CHECK (("status" = 'RUNNING') = ("ended_at" IS NULL));
CREATE UNIQUE INDEX "raffles_one_running_per_streamer" ON "raffles"("streamer_id") WHERE "status" = 'RUNNING';

ALTER TABLE "rounds" ADD CONSTRAINT "rounds_number_positive" CHECK ("number" >= 1);
ALTER TABLE "rounds" ADD CONSTRAINT "rounds_winner_complete" CHECK (("outcome" = 'WINNER') = ("winner_user_id" IS NOT NULL AND "item_id" IS NOT NULL));
CREATE INDEX "rounds_raffle_winners" ON "rounds"("raffle_id", "id") WHERE "outcome" = 'WINNER';
