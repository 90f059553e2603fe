-- Entry modes in rounds (issue 13, part B): the winner's tickets (1 unless luck gave more), as
-- committed in the round's entrantsList. Null for rounds without a winner.

-- AlterTable
ALTER TABLE "rounds" ADD COLUMN "winner_tickets" INTEGER;
