-- A link state is bound to the browser that pressed the start page's button: binding_hash is the
-- SHA-256 of the random token in that browser's cookie (the callback refuses any other browser).
-- guild_name is the Discord server's name as the bot saw it, shown on the start page.

-- AlterTable
ALTER TABLE "twitch_link_states" ADD COLUMN "guild_name" TEXT,
ADD COLUMN "binding_hash" TEXT;
