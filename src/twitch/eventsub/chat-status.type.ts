/**
 * `Streamer.twitchChat`: whether the server can read this streamer's Twitch chat (keyword entry,
 * claims) and what to do when not. A link made before user:read:chat was asked for says
 * NEEDS_RECONNECT until the streamer links once more.
 */
import { CHAT_READ_SCOPE } from '../../entry/twitch-scopes';
import { builder } from '../../graphql/builder';

const TwitchChatState = builder.enumType('TwitchChatState', {
  values: {
    NOT_LINKED: { description: 'No Twitch link: link it first.' },
    NEEDS_RECONNECT: { description: 'The link lacks the permission to read chat: reconnect Twitch once (/link).' },
    IDLE: { description: 'Readable; no raffle needs the chat right now.' },
    CONNECTED: { description: 'An instance reads the chat over EventSub.' },
    REVOKED: { description: 'Twitch revoked the chat subscription: reconnect Twitch.' },
    ERROR: { description: 'Reading the chat fails right now (retrying); see message.' },
  } as const,
});

type State = 'NOT_LINKED' | 'NEEDS_RECONNECT' | 'IDLE' | 'CONNECTED' | 'REVOKED' | 'ERROR';

const TwitchChatStatusType = builder.objectRef<{ state: State; message: string | null }>('TwitchChatStatus').implement({
  fields: (t) => ({
    state: t.field({ type: TwitchChatState, resolve: (status) => status.state }),
    message: t.exposeString('message', { nullable: true }),
  }),
});

builder.prismaObjectField('Streamer', 'twitchChat', (t) =>
  t.field({
    type: TwitchChatStatusType,
    select: {
      credential: { select: { scopes: true, updatedAt: true } },
      chatStream: { select: { status: true, statusMessage: true, statusAt: true } },
    },
    resolve: ({ credential, chatStream }): { state: State; message: string | null } => {
      if (!credential) return { state: 'NOT_LINKED', message: 'Link Twitch first (/link).' };
      const stream = chatStream;
      const stale = stream !== null && credential.updatedAt > stream.statusAt;
      if (stream && !stale && (stream.status === 'REVOKED' || stream.status === 'NEEDS_RECONNECT')) {
        return { state: stream.status as State, message: stream.statusMessage };
      }
      if (!credential.scopes.includes(CHAT_READ_SCOPE)) {
        return {
          state: 'NEEDS_RECONNECT',
          message: `Reconnect Twitch once (/link): keyword entry and claims read your chat, which needs the new permission ${CHAT_READ_SCOPE}.`,
        };
      }
      if (!stream || stale) return { state: 'IDLE', message: null };
      const state = (['IDLE', 'CONNECTED', 'ERROR'] as const).find((s) => s === stream.status) ?? 'IDLE';
      return { state, message: stream.statusMessage };
    },
  }),
);
