-- Editors: people (by Twitch user id) whom a streamer's owner lets steer the streamer. The owner
-- is the streamer's linked Twitch account (streamers.twitch_user_id) and needs no row here.
-- Unique per (streamer, person); the index on twitch_user_id answers "which streamers may this
-- person steer".

-- CreateTable
CREATE TABLE "streamer_editors" (
    "streamer_id" TEXT NOT NULL,
    "twitch_user_id" TEXT NOT NULL,
    "login" TEXT NOT NULL,
    "added_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "streamer_editors_pkey" PRIMARY KEY ("streamer_id","twitch_user_id")
);

-- CreateIndex
CREATE INDEX "streamer_editors_twitch_user_id_idx" ON "streamer_editors"("twitch_user_id");

-- AddForeignKey
ALTER TABLE "streamer_editors" ADD CONSTRAINT "streamer_editors_streamer_id_fkey" FOREIGN KEY ("streamer_id") REFERENCES "streamers"("id") ON DELETE CASCADE ON UPDATE CASCADE;
