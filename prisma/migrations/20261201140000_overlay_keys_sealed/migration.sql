-- Overlay keys at rest: AES-256-GCM ciphertext (bound to the row, see src/crypto/token-cipher.ts)
-- and an HMAC-SHA256 for lookups (see src/streamers/overlay-key-vault.ts). The encryption keys
-- live in the app, not the database, so the app converts the plaintext keys at startup
-- (StreamerService.sealOverlayKeys) and clears "overlay_key"; the column stays only for that.
ALTER TABLE "streamers" ADD COLUMN "overlay_key_hash" TEXT;
ALTER TABLE "streamers" ADD COLUMN "overlay_key_enc" TEXT;
ALTER TABLE "streamers" ALTER COLUMN "overlay_key" DROP NOT NULL;

CREATE UNIQUE INDEX "streamers_overlay_key_hash_key" ON "streamers"("overlay_key_hash");

-- No overlay URL is ever lost: a row keeps its legacy key until both sealed columns are written.
ALTER TABLE "streamers" ADD CONSTRAINT "streamers_overlay_key_present"
    CHECK ("overlay_key" IS NOT NULL OR ("overlay_key_hash" IS NOT NULL AND "overlay_key_enc" IS NOT NULL));
