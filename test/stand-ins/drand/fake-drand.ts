/**
 * A local drand relay for tests: the HTTP API v1 of one chain (/{hash}/info,
 * /{hash}/public/latest, /{hash}/public/{round}) signing as quicknet does (scheme
 * bls-unchained-g1-rfc9380: G1 signatures over sha256(uint64_be(round)), G2 public key,
 * randomness = sha256(signature)) with its own key pair and a short period, so tests run fast.
 *
 *   const drand = await createFakeDrand({ periodSeconds: 1 });
 *   new DrandClient({ urls: [drand.url], chainHash: drand.chain.hash, publicKey: drand.chain.publicKey, timeoutMs: 500 });
 *   drand.setMode('garbage');   // or 'hang', 'wrong-key', 'ok'
 *   await drand.close();
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, randomBytes } from '@noble/hashes/utils.js';
import { QUICKNET_DST, chainInfoHash, roundMessage, type Beacon, type ChainInfo } from '../../../src/fairness/drand-chain';

/** ok: honest relay; garbage: 200 with a non-beacon body; hang: never answers; wrong-key: beacons signed by another key. */
export type FakeDrandMode = 'ok' | 'garbage' | 'hang' | 'wrong-key';

export interface FakeDrandOptions {
  periodSeconds?: number;
  /** How many rounds are already out when the relay starts; default 5. */
  roundsAlreadyOut?: number;
  mode?: FakeDrandMode;
  /** Serve another stand-in's chain (same key, genesis and group hash): several relays of one chain. */
  sameChainAs?: FakeDrand;
}

export interface FakeDrand {
  url: string;
  chain: ChainInfo;
  /** The beacon of `round` signed by the chain's key (also for rounds not yet out: tests only). */
  signRound(round: number): Beacon;
  /** The same round signed by an unrelated key. */
  signRoundWithOtherKey(round: number): Beacon;
  currentRound(): number;
  setMode(mode: FakeDrandMode): void;
  /** Requests seen, as paths. */
  requests: string[];
  secretKey: Uint8Array;
  close(): Promise<void>;
}

function sign(secretKey: Uint8Array, round: number): Beacon {
  const signatures = bls12_381.shortSignatures;
  const signature = signatures.sign(signatures.hash(roundMessage(round), QUICKNET_DST), secretKey).toBytes();
  return { round, randomness: bytesToHex(sha256(signature)), signature: bytesToHex(signature) };
}

export async function createFakeDrand(options: FakeDrandOptions = {}): Promise<FakeDrand> {
  const period = options.sameChainAs?.chain.period ?? options.periodSeconds ?? 1;
  const signatures = bls12_381.shortSignatures;
  const shared = options.sameChainAs;
  const { secretKey, publicKey } = shared
    ? { secretKey: shared.secretKey, publicKey: signatures.getPublicKey(shared.secretKey) }
    : signatures.keygen();
  const otherKey = signatures.keygen().secretKey;
  const genesisTime = shared?.chain.genesisTime ?? Math.floor(Date.now() / 1000) - (options.roundsAlreadyOut ?? 5) * period;
  const info = {
    publicKey: bytesToHex(publicKey.toBytes()),
    genesisTime,
    period,
    groupHash: shared?.chain.groupHash ?? bytesToHex(sha256(randomBytes(32))),
    schemeId: 'bls-unchained-g1-rfc9380',
    beaconId: 'kinoyu-test',
  };
  const chain: ChainInfo = { ...info, hash: chainInfoHash(info) };
  let mode: FakeDrandMode = options.mode ?? 'ok';
  const requests: string[] = [];
  const currentRound = () => Math.floor((Date.now() / 1000 - genesisTime) / period) + 1;

  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://drand.local').pathname;
    requests.push(path);
    if (mode === 'hang') return; // keeps the socket open; close() destroys it
    const send = (status: number, body: unknown) => {
      const payload = typeof body === 'string' ? body : JSON.stringify(body);
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) });
      res.end(payload);
    };
    if (mode === 'garbage') return send(200, '{"round": "soon", <html>');
    const [hash, ...rest] = path.split('/').filter(Boolean);
    if (hash !== chain.hash) return send(404, { error: 'unknown chain' });
    if (rest.length === 1 && rest[0] === 'info') {
      return send(200, {
        public_key: chain.publicKey,
        period,
        genesis_time: genesisTime,
        hash: chain.hash,
        groupHash: chain.groupHash,
        schemeID: chain.schemeId,
        metadata: { beaconID: chain.beaconId },
      });
    }
    if (rest.length === 2 && rest[0] === 'public') {
      const round = rest[1] === 'latest' ? currentRound() : Number(rest[1]);
      if (!Number.isSafeInteger(round) || round < 1) return send(400, { error: 'bad round' });
      // drand relays answer a future round with an error rather than waiting.
      if (round > currentRound()) return send(425, { error: 'round not yet available' });
      return send(200, sign(mode === 'wrong-key' ? otherKey : secretKey, round));
    }
    return send(404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    chain,
    signRound: (round) => sign(secretKey, round),
    signRoundWithOtherKey: (round) => sign(otherKey, round),
    currentRound,
    setMode: (next) => {
      mode = next;
    },
    requests,
    secretKey,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
