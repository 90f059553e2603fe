import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateViewers } from '../../src/chatters/in-memory-chatter-source';
import { eventually, Harness } from './support/harness';

/**
 * The whole path a streamer takes, through the real discord.js client on the Discord stand-in
 * and a real API: /iniciar registers the guild, /sorteio canal picks the channel, /itens adicionar
 * fills the prizes through the modal, /sorteio iniciar runs rounds, and every win becomes one
 * embed in the channel. Then the bot is stopped mid-raffle and restarted: the missed wins are
 * posted once and none twice.
 */
describe('bot end to end: a raffle announced in Discord', () => {
  let h: Harness;
  let streamerId: string;

  beforeAll(async () => {
    h = await Harness.start({ guildLocale: 'pt-BR' });
    await h.startBot();
  });

  afterAll(async () => {
    if (process.env.DUMP_BOT_LOGS) for (const line of h?.logs ?? []) if (line.level >= 40) console.log(JSON.stringify(line).slice(0, 600));
    await h?.close();
  });

  it('an unknown guild is told to run /iniciar first', async () => {
    const reply = await h.run({ name: 'raffle', subcommand: 'status' });
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toContain('/iniciar');
  });

  it('/iniciar registers the guild (Twitch is not configured on this API)', async () => {
    const reply = await h.run({ name: 'link' });
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toContain('Servidor registrado, mas o servidor de sorteios não tem credenciais da Twitch');
    const streamer = await h.streamer();
    expect(streamer).not.toBeNull();
    streamerId = streamer!.id;
    h.api.chatters.set(streamerId, generateViewers(12));
  });

  it('/sorteio canal sets the announcement channel', async () => {
    const reply = await h.run({ name: 'raffle', subcommand: 'channel', options: { channel: h.channels.announce } });
    expect(reply.content).toContain(`<#${h.channels.announce}>`);
    expect((await h.streamer())!.announceChannelId).toBe(h.channels.announce);
  });

  it('/itens adicionar takes the prizes through the modal', async () => {
    const reply = await h.addItems('skin dourada:50:2, skin prateada:30');
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toContain('2 prêmios adicionados');
    expect(reply.content).toContain('skin dourada');
    const list = await h.run({ name: 'items', subcommand: 'list' });
    expect(list.ephemeral).toBe(false);
    expect(list.message.embeds[0]?.description).toContain('skin prateada');
  });

  it('/sorteio iniciar runs rounds, and each win is one embed in the channel', async () => {
    const reply = await h.run({ name: 'raffle', subcommand: 'start', options: { interval: 1 } });
    expect(reply.content).toContain('Sorteio iniciado');
    // 3 copies in stock: 3 wins, then the raffle finishes by itself.
    await eventually(async () => (await h.streamer())!.activeRaffle === null, 20_000, 'the raffle to finish');
    const wins = await h.wins(streamerId);
    expect(wins).toHaveLength(3);
    await eventually(() => h.winnerEmbeds().length >= 3, 10_000, 'three winner embeds');
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // a sweep later: still no repeat
    expect(h.announcedRoundIds()).toEqual(wins.map((win) => win.id));
    const [embed] = h.winnerEmbeds();
    expect(embed!.title).toBe('🎉 Temos um ganhador!');
    expect(embed!.fields?.map((field) => field.name)).toEqual(['Chance do prêmio', 'Rodada', 'Pessoas elegíveis', 'Confira este sorteio']);
    expect(embed!.fields?.[2]?.value).toBe('12');
    // The link to the public verify page comes from the API (Round.verifyUrl: PUBLIC_URL + /verify/<id>).
    expect(embed!.url).toMatch(new RegExp(`^http://localhost:\\d+/verify/${wins[0]!.id}$`));
    expect(embed!.fields?.[3]?.value).toBe(`[Abrir a verificação pública](${embed!.url})`);
    expect((await h.wins(streamerId)).every((win) => win.discordAnnouncedAt !== null)).toBe(true);
  });

  it('wins while the bot is down are posted once after it restarts, none repeated', async () => {
    await h.addItems('caneca:10:6');
    const before = h.winnerEmbeds().length;
    await h.run({ name: 'raffle', subcommand: 'start', options: { interval: 1 } });
    await eventually(() => h.winnerEmbeds().length >= before + 1, 10_000, 'a first live win');
    await h.stopBot();
    const atStop = h.winnerEmbeds().length;
    // Rounds go on without the bot until the 6 copies are gone.
    await eventually(async () => (await h.streamer())!.activeRaffle === null, 20_000, 'the raffle to finish');
    const wins = await h.wins(streamerId);
    expect(wins).toHaveLength(9);
    expect(h.winnerEmbeds().length).toBe(atStop);
    expect(wins.filter((win) => win.discordAnnouncedAt === null).length).toBeGreaterThan(0);

    await h.startBot();
    await eventually(() => h.winnerEmbeds().length >= 9, 10_000, 'the missed wins');
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // two sweeps later: nothing repeated
    expect(h.announcedRoundIds()).toEqual(wins.map((win) => win.id));
    expect((await h.wins(streamerId)).every((win) => win.discordAnnouncedAt !== null)).toBe(true);
  });
});
