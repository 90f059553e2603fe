import type { APIMessage } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateViewers } from '../../src/chatters/in-memory-chatter-source';
import { execute } from '../support/graphql';
import { eventually, Harness } from './support/harness';

/**
 * Claim windows in Discord (issue 13), through the real bot on the Discord stand-in and a real
 * API: the win embed says how to claim and until when (a Discord timestamp); when nobody claims,
 * the expiry edits that message (PATCH /channels/{id}/messages/{id}) to "redrawn", live and
 * after a bot restart (the message found again in the channel's history), and the redraw is a
 * new win posted with its own claim line.
 */
describe('bot end to end: claim windows', () => {
  let h: Harness;
  let streamerId: string;

  beforeAll(async () => {
    h = await Harness.start({ guildLocale: 'pt-BR' });
    await h.startBot();
    await h.run({ name: 'link' });
    streamerId = (await h.streamer())!.id;
    h.api.chatters.set(streamerId, generateViewers(3));
    await h.run({ name: 'raffle', subcommand: 'channel', options: { channel: h.channels.announce } });
    await h.addItems('caneca:10:1');
  });

  afterAll(async () => {
    if (process.env.DUMP_BOT_LOGS) for (const line of h?.logs ?? []) if (line.level >= 30) console.log(JSON.stringify(line).slice(0, 600));
    await h?.close();
  });

  const winMessages = (): APIMessage[] =>
    h.discord.channelMessages(h.channels.announce).filter((message) => message.author.id === h.discord.botUser.id && message.embeds[0]?.footer);
  const claimField = (message: APIMessage | undefined) => message?.embeds[0]?.fields?.find((field) => field.name === 'Resgate')?.value;
  const edits = () => h.discord.requests().filter((request) => request.method === 'PATCH' && /^\/channels\/\d+\/messages\/\d+$/.test(request.path));

  it('the win says how to claim until when; an expired claim edits it live to "redrawn", and the redraw is posted', async () => {
    await execute(h.api.url, `mutation ($input: StartRaffleInput!) { startRaffle(input: $input) { __typename } }`, {
      input: { streamerId, intervalSeconds: 1, claimSeconds: 2 },
    });
    const [first] = await eventually(() => (winMessages().length >= 1 ? winMessages() : undefined), 10_000, 'the first win');
    const [round] = await h.wins(streamerId);
    const { round: claimed } = await execute(h.api.url, `query ($id: ID!) { round(id: $id) { claim { status deadline } } }`, { id: round!.id });
    expect(claimed.claim.status).toBe('PENDING');
    const unix = Math.floor(Date.parse(claimed.claim.deadline) / 1000);
    expect(claimField(first)).toBe(`Digite \`!resgatar\` no chat da Twitch até <t:${unix}:R> (<t:${unix}:T>), senão o prêmio é sorteado de novo.`);

    // Nobody claims (there is no Twitch chat here): at the deadline the claim expires, the
    // message is edited, and the redraw (a new win with its own claim) is posted.
    await eventually(() => claimField(winMessages()[0]) === '⌛ Não resgatado a tempo: o prêmio foi sorteado de novo.', 10_000, 'the edit');
    expect(edits().some((request) => request.path.endsWith(`/messages/${first!.id}`))).toBe(true);
    expect(winMessages()[0]!.edited_timestamp).not.toBeNull();
    // Edited from the CLAIM event, not from the overdue re-read.
    expect(h.logs.filter((line) => line.msg.startsWith('claim past its deadline'))).toEqual([]);
    const second = await eventually(() => winMessages()[1], 10_000, 'the redraw');
    expect(claimField(second)).toMatch(/^Digite `!resgatar` no chat da Twitch até <t:\d+:R>/);
  });

  it('a claim that expires while the bot is down is shown once it is back (found in the channel history)', async () => {
    await h.stopBot();
    const second = winMessages()[1]!;
    // The second claim expires and a third win is drawn without the bot.
    await eventually(async () => ((await h.wins(streamerId)).length >= 3 ? true : undefined), 15_000, 'the third win');
    expect(claimField(winMessages()[1])).toMatch(/^Digite/);
    const editsBefore = edits().length;

    await h.startBot();
    await eventually(() => claimField(winMessages()[1]) === '⌛ Não resgatado a tempo: o prêmio foi sorteado de novo.', 10_000, 'the edit after the restart');
    expect(edits().slice(editsBefore).some((request) => request.path.endsWith(`/messages/${second.id}`))).toBe(true);
    await eventually(() => winMessages()[2], 10_000, 'the third win posted');
    // A sweep later: the first message (already showing its expiry) is not edited again.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(edits().slice(editsBefore).some((request) => request.path.endsWith(`/messages/${winMessages()[0]!.id}`))).toBe(false);
  });
});
