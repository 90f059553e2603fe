import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateViewers } from '../../src/chatters/in-memory-chatter-source';
import { createVerifyLinks, proofPath, verifyUrl } from '../../src/verify/verify-url';
import { launchBrowser } from '../support/browser';
import { describeWith } from '../support/describe-with';
import { addItems, createStreamer, startRaffle } from '../support/factories';
import { contractOperation, execute } from '../support/graphql';
import { startTestApp, type TestApp } from '../support/test-app';

describe('verify links', () => {
  it('are PUBLIC_URL + /verify/<roundId>, with the id escaped and no double slash', () => {
    expect(verifyUrl('https://raffles.example.com', '42')).toBe('https://raffles.example.com/verify/42');
    expect(verifyUrl('https://raffles.example.com/', '42')).toBe('https://raffles.example.com/verify/42');
    expect(verifyUrl('https://example.com/kinoyu', 'a/b?c')).toBe('https://example.com/kinoyu/verify/a%2Fb%3Fc');
    expect(proofPath('7')).toBe('/rounds/7/proof.json');
    let base = 'http://localhost:1';
    const links = createVerifyLinks(() => base);
    base = 'http://localhost:4000'; // read when asked: the port is known only once the app listens
    expect(links.roundUrl(9)).toBe('http://localhost:4000/verify/9');
  });
});

describeWith({ chromium: true }, 'Round.verifyUrl and the verify page on the real app', () => {
  let api: TestApp;
  beforeAll(async () => {
    api = await startTestApp({ env: { PUBLIC_URL: 'https://raffles.example.com' } });
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('Round.verifyUrl is the page of that round, for the service principal and the overlay key alike', async () => {
    const streamer = await createStreamer(api.url);
    api.chatters.set(streamer.id, generateViewers(3, 'fan'));
    await addItems(api.url, streamer.id, [{ name: 'Golden Skin', weight: 1, stock: 5 }]);
    const raffle = await startRaffle(api.url, { streamerId: streamer.id, intervalSeconds: 3600 });
    const { drawRound } = await execute(api.url, contractOperation('DrawRound'), { raffleId: raffle.id });
    const query = `query($id: ID!) { roundsSince(streamerId: $id) { id verifyUrl } }`;
    const asService = await execute(api.url, query, { id: streamer.id });
    expect(asService.roundsSince).toEqual([{ id: drawRound.id, verifyUrl: `https://raffles.example.com/verify/${drawRound.id}` }]);
    const overlayKey = new URL(streamer.overlayUrl).searchParams.get('key')!;
    const asOverlay = await execute(api.url, query, { id: streamer.id }, { token: null, overlayKey });
    expect(asOverlay.roundsSince).toEqual(asService.roundsSince);
  });

  it('serves the page to anyone; an unknown round is "not found" (the proof route answers 404)', async () => {
    expect((await fetch(`${api.url}/rounds/999999999/proof.json`)).status).toBe(404);
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const response = await page.goto(`${api.url}/verify/999999999`);
      expect(response?.status()).toBe(200);
      const result = page.locator('[data-testid="verify-result"][data-verified]');
      await result.waitFor({ timeout: 15_000 });
      expect(await result.getAttribute('data-verified')).toBe('false');
      expect(await result.getAttribute('data-state')).toBe('not-found');
    } finally {
      await browser.close();
    }
  });
});
