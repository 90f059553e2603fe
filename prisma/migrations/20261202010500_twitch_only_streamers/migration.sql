-- Twitch-only streamers and the overlay studio (issue 11).
--
-- A streamer no longer needs a Discord server: a person who logs in on the dashboard and connects
-- their channel gets a streamer with no guild. One streamer per Twitch channel (twitch_user_id
-- stays UNIQUE), at most one per Discord server (guild_id stays UNIQUE; PostgreSQL lets any number
-- of rows have no guild), and every streamer is someone's: a guild, a Twitch account, or both.
ALTER TABLE "streamers" ALTER COLUMN "guild_id" DROP NOT NULL;
ALTER TABLE "streamers" ADD CONSTRAINT "streamers_guild_or_twitch"
    CHECK ("guild_id" IS NOT NULL OR "twitch_user_id" IS NOT NULL);

-- The overlay page's look (position, scale, font, colours, language), validated by the app;
-- NULL: the defaults.
ALTER TABLE "streamers" ADD COLUMN "overlay_settings" JSONB;

-- A pending link is either a Discord server's (/link) or a logged-in person's own channel
-- ("connect my channel" on the dashboard): then the Twitch account that authorizes must be
-- that person.
ALTER TABLE "twitch_link_states" ALTER COLUMN "guild_id" DROP NOT NULL;
ALTER TABLE "twitch_link_states" ADD COLUMN "person_twitch_user_id" TEXT;
ALTER TABLE "twitch_link_states" ADD CONSTRAINT "twitch_link_states_guild_or_person"
    CHECK (("guild_id" IS NULL) <> ("person_twitch_user_id" IS NULL));
