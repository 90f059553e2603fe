-- Dashboard login (issue 11). A person logs in with Twitch and gets a session: the cookie holds a
-- random 32-byte id, the row only its SHA-256 (a database dump logs nobody in). Sessions expire,
-- are revoked by logout, and all of a Twitch user's end when their streamer is unlinked.
-- A login attempt is a single-use `state` bound to one browser (the SHA-256 of a short-lived
-- cookie), valid a few minutes.

-- CreateTable
CREATE TABLE "sessions" (
    "id_hash" TEXT NOT NULL,
    "twitch_user_id" TEXT NOT NULL,
    "login" TEXT NOT NULL,
    "display_name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id_hash")
);

-- CreateIndex
CREATE INDEX "sessions_twitch_user_id_idx" ON "sessions"("twitch_user_id");

-- CreateTable
CREATE TABLE "login_states" (
    "state_hash" TEXT NOT NULL,
    "binding_hash" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "login_states_pkey" PRIMARY KEY ("state_hash")
);

-- CreateIndex
CREATE INDEX "login_states_expires_at_idx" ON "login_states"("expires_at");
