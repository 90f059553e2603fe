import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponentWithCustomId } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateViewers } from '../../src/chatters/in-memory-chatter-source';
import { execute } from '../support/graphql';
import { ADMIN, eventually, Harness, MANAGE_GUILD, settled, VIEWER } from './support/harness';

/**
 * The commands one by one against the stand-in and a real API: who may run what, replies in the
 * user's language, the modal's per-entry problems, autocomplete, status and paginated history.
 */
describe('bot end to end: commands', () => {
  let h: Harness;
  let streamerId: string;

  beforeAll(async () => {
    h = await Harness.start({ guildLocale: 'en-US' });
    await h.startBot();
    // The guild is created through the API this time (the /link flow is in raffle-flow).
    const data = await execute<{ registerGuild: { id: string } }>(h.api.url, 'mutation ($g: String!) { registerGuild(guildId: $g) { ... on Streamer { id } } }', {
      g: h.guild.id,
    });
    streamerId = data.registerGuild.id;
    h.api.chatters.set(streamerId, generateViewers(7));
  });

  afterAll(async () => {
    if (process.env.DUMP_BOT_LOGS) for (const line of h?.logs ?? []) if (line.level >= Number(process.env.DUMP_BOT_LOGS)) console.log(JSON.stringify(line).slice(0, 900));
    await h?.close();
  });

  describe('permissions', () => {
    it('refuses managing subcommands without Manage Server, in pt-BR and in English, and changes nothing', async () => {
      const pt = await h.run({ name: 'raffle', subcommand: 'start', options: { interval: 5 }, user: VIEWER, memberPermissions: '0' });
      expect(pt).toMatchObject({ ephemeral: true });
      expect(pt.content).toContain('Gerenciar Servidor');
      const en = await h.run({ name: 'raffle', subcommand: 'channel', options: { channel: h.channels.announce }, user: VIEWER, memberPermissions: '0', locale: 'en-US' });
      expect(en).toMatchObject({ ephemeral: true });
      expect(en.content).toContain('Manage Server');
      const streamer = await h.streamer();
      expect(streamer!.activeRaffle).toBeNull();
      expect(streamer!.announceChannelId).toBeNull();
    });

    it('does not open the add-items modal for a member without Manage Server', async () => {
      const handle = h.slash({ name: 'items', subcommand: 'add', user: VIEWER, memberPermissions: '0' });
      const response = await handle.waitForResponse();
      expect(response.type).toBe(4); // a message, not a modal (9)
      expect((await settled(handle)).content).toContain('Gerenciar Servidor');
    });

    it('checks /link at run time too, when an admin override lets a member see it', async () => {
      const reply = await h.run({ name: 'link', user: VIEWER, memberPermissions: '0', ignoreDefaultMemberPermissions: true, locale: 'en-US' });
      expect(reply.ephemeral).toBe(true);
      expect(reply.content).toContain('Manage Server');
    });

    it('lets everyone see the status and the prize list', async () => {
      const status = await h.run({ name: 'raffle', subcommand: 'status', user: VIEWER, memberPermissions: '0', locale: 'en-US' });
      expect(status.content).toBe('💤 No raffle is running.');
      const list = await h.run({ name: 'items', subcommand: 'list', user: VIEWER, memberPermissions: '0', locale: 'en-US' });
      expect(list.message.embeds[0]?.description).toBe('No prizes yet. Use `/items add`.');
    });
  });

  describe('language', () => {
    it('answers in the language of the client that asked', async () => {
      expect((await h.run({ name: 'raffle', subcommand: 'status', locale: 'pt-BR' })).content).toBe('💤 Nenhum sorteio em andamento.');
      expect((await h.run({ name: 'raffle', subcommand: 'status', locale: 'en-US' })).content).toBe('💤 No raffle is running.');
      expect((await h.run({ name: 'raffle', subcommand: 'stop', locale: 'pt-BR' })).content).toContain('Nenhum sorteio em andamento');
      expect((await h.run({ name: 'raffle', subcommand: 'stop', locale: 'en-GB' })).content).toContain('No raffle is running');
    });
  });

  describe('/items', () => {
    it('shows each bad entry of the modal, adds nothing, in the user language', async () => {
      const pt = await h.addItems('boa:10, ruim, sem peso:abc, :5', 'pt-BR');
      expect(pt.ephemeral).toBe(true);
      expect(pt.content).toContain('Nenhum prêmio foi adicionado');
      for (const entry of ['Entrada 2', 'Entrada 3', 'Entrada 4']) expect(pt.content).toContain(entry);
      expect(pt.content).not.toContain('Entrada 1:');
      const en = await h.addItems('ok:1, :0', 'en-US');
      expect(en.content).toContain('No prize was added');
      expect(en.content).toContain('Entry 2');
      expect((await h.streamer())!.items).toEqual([]);
    });

    it('adds prizes, lists them with their odds, completes and removes one', async () => {
      const added = await h.addItems('golden skin:30:2\nsilver skin:10', 'en-US');
      expect(added.content).toContain('2 prizes added');
      const list = await h.run({ name: 'items', subcommand: 'list', locale: 'en-US' });
      expect(list.message.embeds[0]?.description).toContain('**golden skin**: weight 30 (75%), 2 of 2 left');

      const typing = h.discord.sendAutocomplete({
        guildId: h.guild.id,
        channelId: h.channels.general,
        user: ADMIN,
        memberPermissions: MANAGE_GUILD,
        locale: 'en-US',
        name: 'items',
        subcommand: 'remove',
        focused: { name: 'item', value: 'SILV' },
      });
      const response = await typing.waitForResponse();
      const choices = (response.data as { choices: Array<{ name: string; value: string }> }).choices;
      expect(choices).toHaveLength(1);
      expect(choices[0]!.name).toBe('silver skin (weight 10, 1/1)');

      const removed = await h.run({ name: 'items', subcommand: 'remove', options: { item: choices[0]!.value }, locale: 'en-US' });
      expect(removed.content).toBe('🗑️ Prize **silver skin** removed.');
      expect((await h.streamer())!.items.map((item) => item.name)).toEqual(['golden skin']);
      const unknown = await h.run({ name: 'items', subcommand: 'remove', options: { item: 'nothing like it' }, locale: 'en-US' });
      expect(unknown.content).toBe('❓ No prize called **nothing like it**.');
    });
  });

  describe('/raffle', () => {
    it('start, status, draw and stop on a running raffle', async () => {
      const started = await h.run({ name: 'raffle', subcommand: 'start', options: { interval: 3600, chance: 50 }, locale: 'en-US' });
      expect(started.content).toMatch(/^▶️ Raffle started: a round every 1 h, with a 50% chance\./);
      const again = await h.run({ name: 'raffle', subcommand: 'start', options: { interval: 60 }, locale: 'en-US' });
      expect(again.content).toContain('already running');

      const status = await h.run({ name: 'raffle', subcommand: 'status', user: VIEWER, memberPermissions: '0', locale: 'en-US' });
      expect(status.ephemeral).toBe(false);
      const fields = Object.fromEntries((status.message.embeds[0]?.fields ?? []).map((field) => [field.name, field.value]));
      expect(fields).toMatchObject({ Interval: '1 h', 'Chance per round': '50%', Rounds: '0', 'Prizes left': 'golden skin ×2' });
      // liveChatters when it has a count (7 viewers), else the last round's count or unknown.
      expect(fields['Eligible people in chat']).toMatch(/^(7|unknown)$/);

      const drawn = await h.run({ name: 'raffle', subcommand: 'draw', locale: 'en-US' });
      expect(drawn.content).toMatch(/^🎉 \*\*Viewer\\_\d{3}\*\* won \*\*golden skin\*\*!$/);
      const first = drawn.content.match(/Viewer\\_\d{3}/)![0];

      // /raffle reroll: the latest win by default; the copy goes back and another viewer wins it.
      const notThere = await h.run({ name: 'raffle', subcommand: 'reroll', options: { round: 9 }, locale: 'pt-BR' });
      expect(notThere.content).toBe('❓ A rodada 9 do último sorteio não tem ganhador (ou já foi ressorteada).');
      const viewerTry = await h.run({ name: 'raffle', subcommand: 'reroll', user: VIEWER, memberPermissions: '0', locale: 'en-US' });
      expect(viewerTry.content).toContain('Manage Server');
      const rerolled = await h.run({ name: 'raffle', subcommand: 'reroll', locale: 'en-US' });
      expect(rerolled.content).toMatch(/^🔁 Round 1 rerolled: \*\*Viewer\\_\d{3}\*\* won \*\*golden skin\*\*!$/);
      expect(rerolled.content).not.toContain(first);
      const nothing = await h.run({ name: 'raffle', subcommand: 'reroll', options: { round: 1 }, locale: 'en-US' });
      expect(nothing.content).toBe('❓ Round 1 of the latest raffle has no winner (or was rerolled already).');

      const after = await h.run({ name: 'raffle', subcommand: 'status', locale: 'en-US' });
      const afterFields = Object.fromEntries((after.message.embeds[0]?.fields ?? []).map((field) => [field.name, field.value]));
      expect(afterFields).toMatchObject({ Rounds: '2', 'Prizes left': 'golden skin ×1' });
      expect(afterFields['Eligible people in chat']).toMatch(/^(5|5 \(last round\)|6 \(last round\)|7 \(last round\))$/);

      const stopped = await h.run({ name: 'raffle', subcommand: 'stop', locale: 'en-US' });
      expect(stopped.content).toBe('⏹️ Raffle stopped after 2 round(s).');
      expect((await h.streamer())!.activeRaffle).toBeNull();
    });

    it('history pages through raffles with buttons', async () => {
      // Five more short raffles (one exists already): two pages of five.
      for (let i = 0; i < 5; i++) {
        await h.run({ name: 'raffle', subcommand: 'start', options: { interval: 3600 }, locale: 'en-US' });
        await h.run({ name: 'raffle', subcommand: 'stop', locale: 'en-US' });
      }
      const first = await h.run({ name: 'raffle', subcommand: 'history', user: VIEWER, memberPermissions: '0', locale: 'en-US' });
      const firstPage = first.message.embeds[0]?.description;
      expect(first.ephemeral).toBe(false);
      expect(first.message.embeds[0]?.title).toBe('📜 Raffle history');
      expect(first.message.embeds[0]?.description?.match(/round\(s\)/g)).toHaveLength(5);
      const buttons = (first.message.components ?? []).flatMap((row) => (row as APIActionRowComponent<APIButtonComponentWithCustomId>).components);
      expect(buttons.map((button) => button.label)).toEqual(['Older ▶']);
      expect(buttons[0]).toMatchObject({ type: ComponentType.Button, style: ButtonStyle.Secondary });

      const press = h.discord.sendButton({ user: VIEWER, customId: buttons[0]!.custom_id, messageId: first.message.id, locale: 'en-US', memberPermissions: '0' });
      const second = await eventually(() => {
        const edited = h.discord.channelMessages(h.channels.general).find((message) => message.id === first.message.id);
        return edited && edited.embeds[0]?.description !== firstPage ? edited : undefined;
      }, 10_000, 'the second history page');
      expect((await press.waitForResponse()).type).toBe(6); // deferred update of the same message
      expect(second.embeds[0]?.description).toContain('Viewer\\_');
      expect(second.embeds[0]?.description?.match(/round\(s\)/g)).toHaveLength(1);
      const secondButtons = (second.components ?? []).flatMap((row) => (row as APIActionRowComponent<APIButtonComponentWithCustomId>).components);
      expect(secondButtons.map((button) => button.label)).toEqual(['◀ Newer']);
    });
  });
});
