/**
 * GraphQL of a raffle's entry options (entry.graphql): the inputs StartRaffleInput takes and the
 * fields Raffle shows. Validation lives in entry-options.ts.
 */
import { EntryMode, SharedChatMode } from '../generated/prisma/enums';
import { builder } from '../graphql/builder';
import { CLAIM_SECONDS_MAX, KEYWORD_MAX_LENGTH, TICKETS_MAX } from './entry-options';

export const EntryModeType = builder.enumType(EntryMode, {
  name: 'EntryMode',
  description: 'PRESENCE: everyone in the chat is in every round. KEYWORD: the people who typed the keyword since the raffle started.',
});

export const SharedChatModeType = builder.enumType(SharedChatMode, {
  name: 'SharedChatMode',
  description: "During a Twitch Shared Chat session: OWN_CHAT counts only messages sent in the streamer's own channel; WHOLE_SESSION counts every channel's.",
});

export const RaffleEntryInput = builder.inputType('RaffleEntryInput', {
  fields: (t) => ({
    mode: t.field({ type: EntryModeType, defaultValue: 'PRESENCE' }),
    keyword: t.string({
      description: `KEYWORD mode: one word of 1 to ${KEYWORD_MAX_LENGTH} characters, matched as a whole word, case-insensitively.`,
    }),
  }),
});

export const RaffleLuckInput = builder.inputType('RaffleLuckInput', {
  description: `Tickets per role, 1 to ${TICKETS_MAX} (1 = no luck); an entrant holds the tickets of their highest applicable role.`,
  fields: (t) => ({
    subscriber: t.int({ defaultValue: 1, description: 'Subscribers and founders.' }),
    vip: t.int({ defaultValue: 1 }),
    moderator: t.int({ defaultValue: 1, description: 'Moderators (and the broadcaster, who never wins).' }),
  }),
});

/** The fields StartRaffleInput adds for entry options. */
export const startRaffleEntryFields = {
  claimDescription: `Seconds the winner has to claim in chat, 0 (no claim window) to ${CLAIM_SECONDS_MAX}.`,
};

interface RaffleEntryShape {
  mode: EntryMode;
  keyword: string | null;
}

interface RaffleLuckShape {
  subscriber: number;
  vip: number;
  moderator: number;
}

const RaffleEntryType = builder.objectRef<RaffleEntryShape>('RaffleEntry').implement({
  fields: (t) => ({
    mode: t.field({ type: EntryModeType, resolve: (entry) => entry.mode }),
    keyword: t.exposeString('keyword', { nullable: true }),
  }),
});

const RaffleLuckType = builder.objectRef<RaffleLuckShape>('RaffleLuck').implement({
  fields: (t) => ({
    subscriber: t.exposeInt('subscriber'),
    vip: t.exposeInt('vip'),
    moderator: t.exposeInt('moderator'),
  }),
});

builder.prismaObjectFields('Raffle', (t) => ({
  entry: t.field({
    type: RaffleEntryType,
    select: { entryMode: true, entryKeyword: true },
    resolve: (raffle) => ({ mode: raffle.entryMode, keyword: raffle.entryKeyword }),
  }),
  luck: t.field({
    type: RaffleLuckType,
    select: { luckSubscriber: true, luckVip: true, luckModerator: true },
    resolve: (raffle) => ({ subscriber: raffle.luckSubscriber, vip: raffle.luckVip, moderator: raffle.luckModerator }),
  }),
  claimSeconds: t.exposeInt('claimSeconds', { description: 'Seconds a winner has to claim in chat; 0 = no claim window.' }),
  sharedChat: t.expose('sharedChat', { type: SharedChatModeType }),
}));
