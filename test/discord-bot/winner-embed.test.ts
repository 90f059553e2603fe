import { describe, expect, it } from 'vitest';
import { buildWinnerEmbed, WINNER_COLOR } from '../../clients/discord-bot/announcer/winner-embed';
import { en } from '../../clients/discord-bot/i18n/en';
import { ptBR } from '../../clients/discord-bot/i18n/pt-BR';

const round = {
  id: '42',
  number: 7,
  at: '2026-11-25T10:00:00.000Z',
  odds: 0.625,
  eligibleCount: 18,
  item: { id: '3', name: 'skin_dourada *rara*', weight: 50 },
  winner: { userId: '900001', login: 'viewer_002', displayName: 'Viewer_002' },
  verifyUrl: 'https://raffles.example/verify/42',
};

describe('winner embed', () => {
  it('shows winner, prize, odds, round number and eligible count', () => {
    const embed = buildWinnerEmbed(round, en);
    expect(embed.title).toBe(en.announce.title);
    expect(embed.description).toBe('**Viewer\\_002** won **skin\\_dourada \\*rara\\***!');
    expect(embed.fields).toEqual([
      { name: 'Prize odds', value: '62.5%', inline: true },
      { name: 'Round', value: '#7', inline: true },
      { name: 'Eligible people', value: '18', inline: true },
      { name: 'Check this draw', value: '[Open the public proof check](https://raffles.example/verify/42)' },
    ]);
    expect(embed.url).toBe('https://raffles.example/verify/42');
    expect(embed.footer?.text).toBe('Round 42');
    expect(embed.timestamp).toBe(round.at);
    expect(embed.color).toBe(WINNER_COLOR);
  });

  it('speaks pt-BR', () => {
    const embed = buildWinnerEmbed(round, ptBR);
    expect(embed.title).toBe('🎉 Temos um ganhador!');
    expect(embed.description).toContain('ganhou');
    expect(embed.fields?.map((field) => field.name)).toEqual(['Chance do prêmio', 'Rodada', 'Pessoas elegíveis', 'Confira este sorteio']);
    expect(embed.fields?.[3]?.value).toBe('[Abrir a verificação pública](https://raffles.example/verify/42)');
    expect(embed.fields?.[0]?.value).toMatch(/^62,5\s?%$/);
  });

  it('falls back to the login and shows unknown odds as a dash', () => {
    const embed = buildWinnerEmbed({ ...round, odds: null, winner: { ...round.winner, displayName: '' } }, en);
    expect(embed.description).toContain('viewer\\_002');
    expect(embed.fields?.[0]?.value).toBe('—');
  });

  it('with a claim window: how to claim until the deadline (a Discord timestamp), then claimed or redrawn', () => {
    const deadline = '2026-11-25T10:02:00.000Z';
    const unix = Date.parse(deadline) / 1000;
    const pending = buildWinnerEmbed({ ...round, claim: { status: 'PENDING', deadline } }, en);
    expect(pending.fields?.at(-1)).toEqual({ name: 'Claim', value: `Type \`!claim\` in the Twitch chat before <t:${unix}:R> (<t:${unix}:T>), or the prize is redrawn.` });
    expect(buildWinnerEmbed({ ...round, claim: { status: 'PENDING', deadline } }, ptBR).fields?.at(-1)?.value).toContain('Digite `!resgatar` no chat');
    expect(buildWinnerEmbed({ ...round, claim: { status: 'CLAIMED', deadline } }, en).fields?.at(-1)?.value).toBe('✅ Claimed');
    expect(buildWinnerEmbed({ ...round, claim: { status: 'EXPIRED', deadline } }, ptBR).fields?.at(-1)?.value).toBe('⌛ Não resgatado a tempo: o prêmio foi sorteado de novo.');
    expect(buildWinnerEmbed({ ...round, claim: null }, en).fields).toHaveLength(4);
  });
});
