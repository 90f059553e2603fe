-- Raffle start announcements (issue 13, part B) go through the outbox too: a row names either a
-- round (win announcements) or a raffle (its start announcement), never both.

-- AlterTable
ALTER TABLE "outbox_messages"
    ALTER COLUMN "round_id" DROP NOT NULL,
    ADD COLUMN "raffle_id" TEXT,
    ADD CONSTRAINT "outbox_messages_one_subject" CHECK (("round_id" IS NULL) <> ("raffle_id" IS NULL));

-- CreateIndex
CREATE UNIQUE INDEX "outbox_messages_raffle_id_channel_key" ON "outbox_messages"("raffle_id", "channel");

-- AddForeignKey
ALTER TABLE "outbox_messages" ADD CONSTRAINT "outbox_messages_raffle_id_fkey" FOREIGN KEY ("raffle_id") REFERENCES "raffles"("id") ON DELETE CASCADE ON UPDATE CASCADE;
