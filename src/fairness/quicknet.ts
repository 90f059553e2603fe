/**
 * The League of Entropy `quicknet` chain as its relays describe it at /{hash}/info (checked: its
 * fields hash to `hash` by drand's chain-hash rule, see chainInfoHash). Plain data, no imports, so
 * that the config module can take its defaults from here.
 */
export const QUICKNET_INFO = {
  hash: '52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971',
  publicKey:
    '83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a',
  genesisTime: 1692803367,
  period: 3,
  groupHash: 'f477d5c89f21a17c863a7f937c6a6d15859414d2be09cd448d4279af331c5d3e',
  schemeId: 'bls-unchained-g1-rfc9380',
  beaconId: 'quicknet',
} as const;

/** drand's public relays (docs.drand.love, HTTP API). */
export const DEFAULT_DRAND_RELAYS = ['https://api.drand.sh', 'https://api2.drand.sh', 'https://api3.drand.sh', 'https://drand.cloudflare.com'] as const;
