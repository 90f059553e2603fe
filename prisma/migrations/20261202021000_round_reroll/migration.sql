-- Rerolls (issue 13, part B). A rerolled WINNER round keeps its outcome and gets rerolled_at; its
-- prize copy went back and its winner joined the raffle's excluded_user_ids (never drawn again in
-- that raffle, even with repeat winners allowed). The next forced round takes the raffle's
-- pending_reroll_of and links to the round it replaces by reroll_of_id (one reroll per round).

-- AlterTable
ALTER TABLE "raffles"
    ADD COLUMN "excluded_user_ids" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    ADD COLUMN "pending_reroll_of" INTEGER;

-- AlterTable
ALTER TABLE "rounds"
    ADD COLUMN "reroll_of_id" INTEGER,
    ADD COLUMN "rerolled_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE UNIQUE INDEX "rounds_reroll_of_id_key" ON "rounds"("reroll_of_id");

-- AddForeignKey
ALTER TABLE "rounds" ADD CONSTRAINT "rounds_reroll_of_id_fkey" FOREIGN KEY ("reroll_of_id") REFERENCES "rounds"("id") ON DELETE SET NULL ON UPDATE CASCADE;
