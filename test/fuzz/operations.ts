import fc from 'fast-check';
import {
  hostileBoolean,
  hostileCursor,
  hostileId,
  hostileNumber,
  hostileSnowflake,
  hostileString,
  orWrong,
} from './arbitraries';

/** Ids that exist in the database right now, so fuzzed arguments hit real rows too. */
export interface KnownIds {
  streamers: string[];
  items: string[];
  raffles: string[];
  rounds: string[];
}

/** One root field with every argument of the schema (and those of nested connection fields). */
export interface OperationSpec {
  name: string;
  kind: 'query' | 'mutation' | 'subscription';
  /** Variable name → GraphQL type as the schema declares it. */
  variables: Record<string, string>;
  /** The selection set, using `$variable`s. */
  body: string;
  /** Runs in the bounded suite (its share of about 10k cases). */
  runs: number;
  values(known: KnownIds): fc.Arbitrary<Record<string, unknown>>;
}

const errorSelection = '__typename ... on Error { message }';

const itemInput = fc.record(
  { name: orWrong(hostileString), weight: orWrong(hostileNumber), stock: orWrong(hostileNumber), extra: fc.string() },
  { requiredKeys: [] },
);

const itemPatch = fc.record({ name: orWrong(hostileString), weight: orWrong(hostileNumber), stock: orWrong(hostileNumber) }, { requiredKeys: [] });

/** Item text as typed in Discord, with hostile names and numbers in its fields. */
const itemText = fc.oneof(
  hostileString,
  fc
    .array(
      fc.tuple(hostileString, fc.oneof(hostileNumber.map(String), hostileString), fc.option(hostileNumber.map(String))).map(
        ([name, weight, stock]) => (stock === null ? `${name}:${weight}` : `${name}:${weight}:${stock}`),
      ),
      { maxLength: 8 },
    )
    .map((entries) => entries.join(', ')),
  fc.integer({ min: 1, max: 2_000 }).map((count) => Array.from({ length: count }, (_, index) => `p${index}:1`).join(',')),
);

const connectionArgs = {
  first: orWrong(hostileNumber),
  last: orWrong(hostileNumber),
  after: orWrong(hostileCursor),
  before: orWrong(hostileCursor),
};

export function operations(known: () => KnownIds): OperationSpec[] {
  const streamerId = orWrong(hostileId(() => known().streamers));
  const itemId = orWrong(hostileId(() => known().items));
  const raffleId = orWrong(hostileId(() => known().raffles));
  const roundId = orWrong(hostileId(() => known().rounds));
  const record = (fields: Record<string, fc.Arbitrary<unknown>>) => () => fc.record(fields, { requiredKeys: [] });
  return [
    {
      name: 'addItems',
      kind: 'mutation',
      variables: { streamerId: 'ID!', items: '[ItemInput!]!' },
      body: `addItems(streamerId: $streamerId, items: $items) { ${errorSelection} ... on AddItemsPayload { items { id name weight stock remaining } } ... on ValidationError { problems { path message } } }`,
      runs: 400,
      values: record({
        streamerId,
        items: orWrong(fc.oneof({ arbitrary: fc.array(orWrong(itemInput), { maxLength: 6 }), weight: 99 }, { arbitrary: fc.array(itemInput, { minLength: 499, maxLength: 502 }), weight: 1 })),
      }),
    },
    {
      name: 'addItemsFromText',
      kind: 'mutation',
      variables: { streamerId: 'ID!', text: 'String!' },
      body: `addItemsFromText(streamerId: $streamerId, text: $text) { ${errorSelection} ... on AddItemsPayload { items { id } } ... on ValidationError { problems { path message } } }`,
      runs: 500,
      values: record({ streamerId, text: orWrong(itemText) }),
    },
    {
      name: 'updateItem',
      kind: 'mutation',
      variables: { id: 'ID!', patch: 'ItemPatch!' },
      body: `updateItem(id: $id, patch: $patch) { ${errorSelection} ... on Item { id weight stock remaining } }`,
      runs: 500,
      values: record({ id: itemId, patch: orWrong(itemPatch) }),
    },
    {
      name: 'removeItem',
      kind: 'mutation',
      variables: { id: 'ID!' },
      body: `removeItem(id: $id) { ${errorSelection} ... on Item { id removed } }`,
      runs: 300,
      values: record({ id: itemId }),
    },
    {
      name: 'startRaffle',
      kind: 'mutation',
      variables: { input: 'StartRaffleInput!' },
      body: `startRaffle(input: $input) { ${errorSelection} ... on Raffle { id status intervalSeconds drawChance } }`,
      runs: 500,
      values: record({
        input: orWrong(
          fc.record(
            { streamerId, intervalSeconds: orWrong(hostileNumber), drawChance: orWrong(hostileNumber), allowRepeatWinners: hostileBoolean },
            { requiredKeys: [] },
          ),
        ),
      }),
    },
    {
      name: 'stopRaffle',
      kind: 'mutation',
      variables: { raffleId: 'ID!' },
      body: `stopRaffle(raffleId: $raffleId) { ${errorSelection} ... on Raffle { id status } }`,
      runs: 300,
      values: record({ raffleId }),
    },
    {
      name: 'drawRound',
      kind: 'mutation',
      variables: { raffleId: 'ID!' },
      body: `drawRound(raffleId: $raffleId) { ${errorSelection} ... on Round { id number outcome } }`,
      runs: 400,
      values: record({ raffleId }),
    },
    {
      name: 'markRoundsAnnouncedInDiscord',
      kind: 'mutation',
      variables: { roundIds: '[ID!]!' },
      body: 'markRoundsAnnouncedInDiscord(roundIds: $roundIds) { id discordAnnouncedAt }',
      runs: 400,
      values: record({ roundIds: orWrong(fc.array(roundId, { maxLength: 8 })) }),
    },
    {
      name: 'registerGuild',
      kind: 'mutation',
      variables: { guildId: 'String!' },
      body: `registerGuild(guildId: $guildId) { ${errorSelection} ... on Streamer { id guildId } }`,
      runs: 400,
      values: record({ guildId: orWrong(hostileSnowflake) }),
    },
    {
      name: 'setAnnounceChannel',
      kind: 'mutation',
      variables: { streamerId: 'ID!', channelId: 'String' },
      body: `setAnnounceChannel(streamerId: $streamerId, channelId: $channelId) { ${errorSelection} ... on Streamer { id announceChannelId } }`,
      runs: 400,
      values: record({ streamerId, channelId: orWrong(hostileSnowflake) }),
    },
    {
      name: 'rotateOverlayKey',
      kind: 'mutation',
      variables: { streamerId: 'ID!' },
      body: `rotateOverlayKey(streamerId: $streamerId) { ${errorSelection} ... on Streamer { id overlayUrl } }`,
      runs: 250,
      values: record({ streamerId }),
    },
    {
      name: 'startTwitchLink',
      kind: 'mutation',
      variables: { guildId: 'String!', discordUserId: 'String' },
      body: `startTwitchLink(guildId: $guildId, discordUserId: $discordUserId) { ${errorSelection} ... on TwitchLinkStarted { authorizeUrl } }`,
      runs: 300,
      values: record({ guildId: orWrong(hostileSnowflake), discordUserId: orWrong(hostileSnowflake) }),
    },
    {
      name: 'completeTwitchLink',
      kind: 'mutation',
      variables: { code: 'String!', state: 'String!', guildId: 'String', discordUserId: 'String' },
      body: `completeTwitchLink(code: $code, state: $state, guildId: $guildId, discordUserId: $discordUserId) { ${errorSelection} ... on Streamer { id } }`,
      runs: 300,
      values: record({ code: orWrong(hostileString), state: orWrong(hostileString), guildId: orWrong(hostileSnowflake), discordUserId: orWrong(hostileSnowflake) }),
    },
    {
      name: 'unlinkTwitch',
      kind: 'mutation',
      variables: { streamerId: 'ID!' },
      body: `unlinkTwitch(streamerId: $streamerId) { ${errorSelection} ... on Streamer { id linked } }`,
      runs: 250,
      values: record({ streamerId }),
    },
    {
      name: 'liveChatters',
      kind: 'query',
      variables: { streamerId: 'ID!', sampleSize: 'Int' },
      body: `liveChatters(streamerId: $streamerId, sampleSize: $sampleSize) { __typename ... on Error { message } ... on LiveChatters { count total sample { login } } }`,
      runs: 400,
      values: record({ streamerId, sampleSize: orWrong(hostileNumber) }),
    },
    {
      name: 'raffle (with rounds connection)',
      kind: 'query',
      variables: { id: 'ID!', first: 'Int', last: 'Int', after: 'String', before: 'String' },
      body: 'raffle(id: $id) { id status rounds(first: $first, last: $last, after: $after, before: $before) { pageInfo { hasNextPage endCursor } edges { cursor node { id number } } } }',
      runs: 500,
      values: record({ id: raffleId, ...connectionArgs }),
    },
    {
      name: 'roundsSince',
      kind: 'query',
      variables: { streamerId: 'ID!', afterRoundId: 'ID', first: 'Int', onlyWinners: 'Boolean' },
      body: 'roundsSince(streamerId: $streamerId, afterRoundId: $afterRoundId, first: $first, onlyWinners: $onlyWinners) { id number outcome }',
      runs: 600,
      values: record({ streamerId, afterRoundId: roundId, first: orWrong(hostileNumber), onlyWinners: hostileBoolean }),
    },
    {
      name: 'streamer (with raffles connection)',
      kind: 'query',
      variables: { id: 'ID!', first: 'Int', last: 'Int', after: 'String', before: 'String' },
      body: 'streamer(id: $id) { id items { id } latestRound { id } activeRaffle { id } raffles(first: $first, last: $last, after: $after, before: $before) { pageInfo { hasNextPage endCursor } edges { cursor node { id } } } }',
      runs: 500,
      values: record({ id: streamerId, ...connectionArgs }),
    },
    {
      name: 'winnerDrawn (SSE)',
      kind: 'subscription',
      variables: { streamerId: 'ID!', afterRoundId: 'ID' },
      body: 'winnerDrawn(streamerId: $streamerId, afterRoundId: $afterRoundId) { id number }',
      runs: 150,
      values: record({ streamerId, afterRoundId: roundId }),
    },
    {
      name: 'raffleEvents (SSE)',
      kind: 'subscription',
      variables: { streamerId: 'ID!', afterRoundId: 'ID' },
      body: 'raffleEvents(streamerId: $streamerId, afterRoundId: $afterRoundId) { kind roundId round { id number } }',
      runs: 150,
      values: record({ streamerId, afterRoundId: roundId }),
    },
    {
      name: 'streamerByGuild',
      kind: 'query',
      variables: { guildId: 'String!' },
      body: 'streamerByGuild(guildId: $guildId) { id guildId }',
      runs: 300,
      values: record({ guildId: orWrong(hostileSnowflake) }),
    },
  ];
}

/** The request body: variables (mostly), or every argument inlined as a literal. */
export function documentFor(spec: OperationSpec, values: Record<string, unknown>, inline: boolean, literal: (value: unknown) => string): string {
  if (inline) {
    const body = spec.body.replace(/\$(\w+)/g, (_match, name: string) => literal(values[name]));
    return JSON.stringify({ query: `${spec.kind} { ${body} }` });
  }
  const declared = Object.entries(spec.variables)
    .map(([name, type]) => `$${name}: ${type}`)
    .join(', ');
  return JSON.stringify({ query: `${spec.kind}(${declared}) { ${spec.body} }`, variables: values });
}
