import { OutboxStatus } from '../generated/prisma/enums';
import { may, streamerArg } from '../graphql/authorize';
import { builder } from '../graphql/builder';
import { TWITCH_CHAT_CHANNEL } from './chat/win-announcer';
import type { TwitchUnlinkReason } from './credentials/credential-store';

const TwitchUnlinkReasonType = builder.enumType('TwitchUnlinkReason', {
  description: 'Why a Twitch link ended.',
  values: {
    TOKEN_REVOKED: { description: 'Twitch no longer accepts the authorization (disconnected or revoked at Twitch).' },
    UNLINKED: { description: 'Unlinked on purpose (unlinkTwitch).' },
  } as const,
});

interface TwitchStatus {
  linked: boolean;
  scopes: string[];
  lastValidatedAt: Date | null;
  unlinkedAt: Date | null;
  unlinkedReason: TwitchUnlinkReason | null;
}

const TwitchStatusType = builder.objectRef<TwitchStatus>('TwitchStatus').implement({
  description: "The streamer's Twitch link as the server last saw it. Never carries tokens.",
  fields: (t) => ({
    linked: t.exposeBoolean('linked', { description: 'Tokens are stored; false once they were revoked or unlinked.' }),
    scopes: t.exposeStringList('scopes', { description: 'Scopes Twitch granted (empty when not linked).' }),
    lastValidatedAt: t.expose('lastValidatedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When Twitch last confirmed the token (at startup and hourly).',
    }),
    unlinkedAt: t.expose('unlinkedAt', { type: 'DateTime', nullable: true }),
    unlinkedReason: t.expose('unlinkedReason', { type: TwitchUnlinkReasonType, nullable: true }),
  }),
});

builder.prismaObjectField('Streamer', 'twitchStatus', (t) =>
  t.field({
    type: TwitchStatusType,
    select: {
      twitchUnlinkedAt: true,
      twitchUnlinkedReason: true,
      credential: { select: { scopes: true, validatedAt: true } },
    },
    resolve: (streamer) => ({
      linked: streamer.credential !== null,
      scopes: streamer.credential?.scopes ?? [],
      lastValidatedAt: streamer.credential?.validatedAt ?? null,
      unlinkedAt: streamer.credential ? null : streamer.twitchUnlinkedAt,
      unlinkedReason: streamer.credential ? null : (streamer.twitchUnlinkedReason as TwitchUnlinkReason | null),
    }),
  }),
);

const AnnouncementStatusType = builder.enumType(OutboxStatus, {
  name: 'AnnouncementStatus',
  description: 'PENDING: not sent yet (retrying); SENT; DROPPED: Twitch accepted but did not post it; FAILED: gave up.',
});

const TwitchAnnouncementType = builder.prismaObject('OutboxMessage', {
  name: 'TwitchAnnouncement',
  description: 'The win announced in the streamer’s Twitch chat.',
  fields: (t) => ({
    status: t.expose('status', { type: AnnouncementStatusType }),
    attempts: t.exposeInt('attempts'),
    dropReason: t.exposeString('dropReason', { nullable: true, description: 'Why Twitch dropped the message (is_sent: false).' }),
    lastError: t.exposeString('lastError', { nullable: true, description: 'What went wrong on the last failed attempt.' }),
    sentAt: t.expose('sentAt', { type: 'DateTime', nullable: true }),
    messageId: t.exposeString('externalId', { nullable: true, description: "Twitch's message_id once sent." }),
    nextAttemptAt: t.field({
      type: 'DateTime',
      nullable: true,
      select: { status: true, nextAttemptAt: true },
      resolve: (message) => (message.status === 'PENDING' ? message.nextAttemptAt : null),
    }),
  }),
});

builder.prismaObjectField('Round', 'twitchAnnouncement', (t) =>
  t.field({
    type: TwitchAnnouncementType,
    nullable: true,
    description: 'The Twitch chat announcement of a winning round, when the streamer was linked.',
    select: (_args, _context, nestedSelection) => ({
      outbox: nestedSelection({ where: { channel: TWITCH_CHAT_CHANNEL }, take: 1 }),
    }),
    resolve: (round) => round.outbox[0] ?? null,
  }),
);
