-- Claim windows (issue 13, part B). A WINNER round of a raffle with claim_seconds > 0 starts
-- PENDING with claim_deadline = its time + claim_seconds. The winner's own `!claim` / `!resgatar`
-- in chat before the deadline makes it CLAIMED; at the deadline a job on any instance makes it
-- EXPIRED (one UPDATE ... WHERE claim_status = 'PENDING': exactly once), gives the copy back and
-- draws a replacement round (rerollOf).

-- CreateEnum
CREATE TYPE "ClaimStatus" AS ENUM ('PENDING', 'CLAIMED', 'EXPIRED');

-- AlterTable
ALTER TABLE "rounds"
    ADD COLUMN "claim_status" "ClaimStatus",
    ADD COLUMN "claim_deadline" TIMESTAMPTZ(3),
    ADD COLUMN "claimed_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "rounds_pending_claims_idx" ON "rounds"("claim_deadline") WHERE "claim_status" = 'PENDING';
