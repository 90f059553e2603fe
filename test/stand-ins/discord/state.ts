import {
  ChannelType,
  GuildDefaultMessageNotifications,
  GuildExplicitContentFilter,
  GuildMFALevel,
  GuildNSFWLevel,
  GuildPremiumTier,
  GuildVerificationLevel,
  OverwriteType,
  type APIApplicationCommand,
  type APIChannel,
  type APIGuild,
  type APIGuildMember,
  type APIMessage,
  type APIOverwrite,
  type APIRole,
  type APIUser,
  type GuildMemberFlags,
  type GuildSystemChannelFlags,
  type Locale,
  type RoleFlags,
  type UserFlags,
} from 'discord-api-types/v10';
import { DiscordApiError, notFound } from './errors.js';
import { RESTJSONErrorCodes } from 'discord-api-types/v10';
import {
  computePermissions,
  DEFAULT_BOT_PERMISSIONS,
  DEFAULT_EVERYONE_PERMISSIONS,
  toPermissionBits,
} from './permissions.js';
import { snowflake, snowflakeTimestamp } from './snowflake.js';

/** Bit-flag enums in discord-api-types have no zero member. */
const NO_FLAGS = 0;

export type PermissionsInput = bigint | string | number;

export interface UserInput {
  id?: string;
  username: string;
  globalName?: string | null;
  bot?: boolean;
}

/**
 * A user reference in a test driver: the id of a known user, or `{ username }` (the user with
 * that username, created on first use).
 */
export type UserRef = string | UserInput | APIUser;

export interface ChannelInput {
  id?: string;
  name: string;
  /** ChannelType; 0 (GuildText) when left out. */
  type?: ChannelType;
  topic?: string | null;
  parentId?: string | null;
  position?: number;
  nsfw?: boolean;
  /** `id` may be '@everyone' or a role name of the same guild, besides a role or user id. */
  permissionOverwrites?: { id: string; type: 'role' | 'member' | OverwriteType; allow?: PermissionsInput; deny?: PermissionsInput }[];
}

export interface RoleInput {
  id?: string;
  name: string;
  permissions?: PermissionsInput;
  position?: number;
  color?: number;
}

export interface MemberInput {
  user: UserRef;
  /** Role ids or role names declared in the same guild. */
  roles?: string[];
  nick?: string | null;
}

export interface GuildInput {
  id?: string;
  name: string;
  /** Defaults to a fresh user "owner". */
  ownerId?: string;
  /** The guild's preferred locale, sent as `guild_locale` on interactions. Default 'en-US'. */
  locale?: Locale | `${Locale}`;
  channels?: ChannelInput[];
  roles?: RoleInput[];
  members?: MemberInput[];
  /** Permissions of @everyone; defaults to what a new guild gets. */
  everyonePermissions?: PermissionsInput;
  /** Permissions of the bot's managed role; defaults to a typical invite (view, send, embed, history...). */
  botPermissions?: PermissionsInput;
}

export interface ChannelRecord {
  id: string;
  guildId: string;
  type: ChannelType;
  name: string;
  position: number;
  topic: string | null;
  parentId: string | null;
  nsfw: boolean;
  rateLimitPerUser: number;
  permissionOverwrites: APIOverwrite[];
  lastMessageId: string | null;
}

export interface MemberRecord {
  userId: string;
  roles: string[];
  nick: string | null;
  joinedAt: string;
}

export interface GuildRecord {
  id: string;
  name: string;
  ownerId: string;
  locale: Locale;
  roles: Map<string, APIRole>;
  channels: Map<string, ChannelRecord>;
  members: Map<string, MemberRecord>;
  botJoinedAt: string;
}

export interface MessageRecord {
  message: APIMessage;
  guildId: string | null;
  /** Ephemeral messages exist only for the interaction's user: never in channel history. */
  ephemeral: boolean;
  deleted: boolean;
}

const TEXT_LIKE: ReadonlySet<ChannelType> = new Set([
  ChannelType.GuildText,
  ChannelType.GuildAnnouncement,
  ChannelType.GuildVoice,
  ChannelType.GuildStageVoice,
  ChannelType.PublicThread,
  ChannelType.PrivateThread,
  ChannelType.AnnouncementThread,
]);

export function isTextLike(type: ChannelType): boolean {
  return TEXT_LIKE.has(type);
}

function overwriteType(type: 'role' | 'member' | OverwriteType): OverwriteType {
  if (type === 'role') return OverwriteType.Role;
  if (type === 'member') return OverwriteType.Member;
  return type;
}

/** In-memory Discord: users, guilds (roles, channels, members), messages and commands. */
export class DiscordState {
  readonly users = new Map<string, APIUser>();
  readonly guilds = new Map<string, GuildRecord>();
  readonly #channelGuild = new Map<string, string>();
  readonly #channelMessages = new Map<string, MessageRecord[]>();
  readonly #messages = new Map<string, MessageRecord>();
  /** Key 'global' or a guild id. */
  readonly commands = new Map<string, APIApplicationCommand[]>();

  constructor(readonly botUser: APIUser) {
    this.users.set(botUser.id, botUser);
  }

  // ---- users -------------------------------------------------------------------------------

  addUser(input: UserInput): APIUser {
    if ([...this.users.values()].some((user) => user.username === input.username)) {
      throw new Error(`fake-discord: username ${input.username} is taken (Discord usernames are unique)`);
    }
    const id = input.id ?? snowflake();
    const user: APIUser = {
      id,
      username: input.username,
      discriminator: '0',
      global_name: input.globalName ?? null,
      avatar: null,
      bot: input.bot ?? false,
      public_flags: NO_FLAGS as UserFlags,
      flags: NO_FLAGS as UserFlags,
      banner: null,
      accent_color: null,
      avatar_decoration_data: null,
      collectibles: null,
      primary_guild: null,
    };
    if (!user.bot) delete user.bot;
    this.users.set(id, user);
    return user;
  }

  resolveUser(ref: UserRef): APIUser {
    if (typeof ref === 'string') {
      const user = this.users.get(ref);
      if (!user) throw new Error(`fake-discord: no user with id ${ref}; call addUser() first or pass { username }`);
      return user;
    }
    if (ref.id && this.users.has(ref.id)) return this.users.get(ref.id)!;
    if ('discriminator' in ref) {
      this.users.set(ref.id, ref);
      return ref;
    }
    // Usernames are unique on Discord: `{ username: 'ana' }` twice is the same user.
    if (!ref.id) {
      const existing = [...this.users.values()].find((user) => user.username === ref.username);
      if (existing) return existing;
    }
    return this.addUser(ref);
  }

  // ---- guilds, roles, channels, members ------------------------------------------------------

  addGuild(input: GuildInput): GuildRecord {
    const id = input.id ?? snowflake();
    if (this.guilds.has(id)) throw new Error(`fake-discord: guild ${id} already exists`);
    const ownerId = input.ownerId ?? this.resolveUser({ username: `${input.name.toLowerCase().replace(/\W+/g, '')}-owner` }).id;
    if (!this.users.has(ownerId)) this.addUser({ id: ownerId, username: `owner-${ownerId}` });
    const now = new Date().toISOString();
    const guild: GuildRecord = {
      id,
      name: input.name,
      ownerId,
      locale: (input.locale ?? 'en-US') as Locale,
      roles: new Map(),
      channels: new Map(),
      members: new Map(),
      botJoinedAt: now,
    };
    this.guilds.set(id, guild);

    this.#putRole(guild, {
      id,
      name: '@everyone',
      permissions: input.everyonePermissions ?? DEFAULT_EVERYONE_PERMISSIONS,
      position: 0,
    });
    const botRole = this.#putRole(guild, {
      name: this.botUser.username,
      permissions: input.botPermissions ?? DEFAULT_BOT_PERMISSIONS,
      position: 1,
    });
    botRole.managed = true;
    botRole.tags = { bot_id: this.botUser.id };
    input.roles?.forEach((role, index) => this.#putRole(guild, { position: index + 2, ...role }));

    guild.members.set(ownerId, { userId: ownerId, roles: [], nick: null, joinedAt: now });
    guild.members.set(this.botUser.id, { userId: this.botUser.id, roles: [botRole.id], nick: null, joinedAt: now });
    for (const member of input.members ?? []) this.addMember(id, member);

    input.channels?.forEach((channel, index) => this.addChannel(id, { position: index, ...channel }));
    return guild;
  }

  #putRole(guild: GuildRecord, input: RoleInput): APIRole {
    const role: APIRole = {
      id: input.id ?? snowflake(),
      name: input.name,
      color: input.color ?? 0,
      colors: { primary_color: input.color ?? 0, secondary_color: null, tertiary_color: null },
      hoist: false,
      icon: null,
      unicode_emoji: null,
      position: input.position ?? guild.roles.size,
      permissions: toPermissionBits(input.permissions ?? 0n).toString(),
      managed: false,
      mentionable: false,
      flags: NO_FLAGS as RoleFlags,
    };
    guild.roles.set(role.id, role);
    return role;
  }

  addRole(guildId: string, input: RoleInput): APIRole {
    return this.#putRole(this.guild(guildId), input);
  }

  guild(guildId: string): GuildRecord {
    const guild = this.guilds.get(guildId);
    if (!guild) throw notFound(RESTJSONErrorCodes.UnknownGuild, 'Guild');
    return guild;
  }

  addChannel(guildId: string, input: ChannelInput): ChannelRecord {
    const guild = this.guild(guildId);
    const channel: ChannelRecord = {
      id: input.id ?? snowflake(),
      guildId,
      type: input.type ?? ChannelType.GuildText,
      name: input.name,
      position: input.position ?? guild.channels.size,
      topic: input.topic ?? null,
      parentId: input.parentId ?? null,
      nsfw: input.nsfw ?? false,
      rateLimitPerUser: 0,
      permissionOverwrites: (input.permissionOverwrites ?? []).map((o) => ({
        id: this.#overwriteTarget(guild, o.id),
        type: overwriteType(o.type),
        allow: toPermissionBits(o.allow ?? 0n).toString(),
        deny: toPermissionBits(o.deny ?? 0n).toString(),
      })),
      lastMessageId: null,
    };
    guild.channels.set(channel.id, channel);
    this.#channelGuild.set(channel.id, guildId);
    this.#channelMessages.set(channel.id, []);
    return channel;
  }

  /** '@everyone' and role names are accepted in place of ids in channel overwrites. */
  #overwriteTarget(guild: GuildRecord, id: string): string {
    if (id === '@everyone') return guild.id;
    if (guild.roles.has(id) || /^\d{17,20}$/.test(id)) return id;
    const role = [...guild.roles.values()].find((r) => r.name === id);
    if (!role) throw new Error(`fake-discord: overwrite target ${id} is neither an id nor a role of ${guild.name}`);
    return role.id;
  }

  /** Throws Discord's 404 Unknown Channel when the channel does not exist. */
  channel(channelId: string): { guild: GuildRecord; channel: ChannelRecord } {
    const guildId = this.#channelGuild.get(channelId);
    const guild = guildId ? this.guilds.get(guildId) : undefined;
    const channel = guild?.channels.get(channelId);
    if (!guild || !channel) throw notFound(RESTJSONErrorCodes.UnknownChannel, 'Channel');
    return { guild, channel };
  }

  addMember(guildId: string, input: MemberInput): MemberRecord {
    const guild = this.guild(guildId);
    const user = this.resolveUser(input.user);
    const roles = (input.roles ?? []).map((ref) => {
      if (guild.roles.has(ref)) return ref;
      const byName = [...guild.roles.values()].find((role) => role.name === ref);
      if (!byName) throw new Error(`fake-discord: guild ${guild.name} has no role ${ref}`);
      return byName.id;
    });
    const member: MemberRecord = { userId: user.id, roles, nick: input.nick ?? null, joinedAt: new Date().toISOString() };
    guild.members.set(user.id, member);
    return member;
  }

  /** The member record, creating a role-less membership for users who interact without one. */
  ensureMember(guildId: string, userId: string): MemberRecord {
    const guild = this.guild(guildId);
    return guild.members.get(userId) ?? this.addMember(guildId, { user: userId });
  }

  permissionsOf(guild: GuildRecord, userId: string, channel?: ChannelRecord): bigint {
    const member = guild.members.get(userId);
    return computePermissions({
      guildId: guild.id,
      ownerId: guild.ownerId,
      userId,
      memberRoleIds: member?.roles ?? [],
      roles: guild.roles,
      overwrites: channel?.permissionOverwrites,
    });
  }

  // ---- API shapes ----------------------------------------------------------------------------

  apiRole(role: APIRole): APIRole {
    return structuredClone(role);
  }

  apiChannel(channel: ChannelRecord, options: { withGuildId: boolean } = { withGuildId: true }): APIChannel {
    const base: Record<string, unknown> = {
      id: channel.id,
      type: channel.type,
      name: channel.name,
      position: channel.position,
      permission_overwrites: structuredClone(channel.permissionOverwrites),
      parent_id: channel.parentId,
      flags: 0,
    };
    if (options.withGuildId) base.guild_id = channel.guildId;
    if (channel.type !== ChannelType.GuildCategory) {
      base.nsfw = channel.nsfw;
      base.topic = channel.topic;
      base.last_message_id = channel.lastMessageId;
      base.rate_limit_per_user = channel.rateLimitPerUser;
    }
    // The channel union in discord-api-types is keyed by `type`; the fields above are the shared ones.
    return base as unknown as APIChannel;
  }

  apiMember(guild: GuildRecord, member: MemberRecord): APIGuildMember {
    const user = this.users.get(member.userId);
    if (!user) throw new Error(`fake-discord: member ${member.userId} has no user`);
    return {
      user: structuredClone(user),
      nick: member.nick,
      avatar: null,
      banner: null,
      roles: [...member.roles],
      joined_at: member.joinedAt,
      premium_since: null,
      deaf: false,
      mute: false,
      flags: NO_FLAGS as GuildMemberFlags,
      pending: false,
      communication_disabled_until: null,
    };
  }

  apiGuild(guild: GuildRecord): APIGuild {
    return {
      id: guild.id,
      name: guild.name,
      icon: null,
      icon_hash: null,
      splash: null,
      discovery_splash: null,
      owner_id: guild.ownerId,
      afk_channel_id: null,
      afk_timeout: 300,
      widget_enabled: false,
      widget_channel_id: null,
      verification_level: GuildVerificationLevel.None,
      default_message_notifications: GuildDefaultMessageNotifications.OnlyMentions,
      explicit_content_filter: GuildExplicitContentFilter.Disabled,
      roles: [...guild.roles.values()].map((role) => this.apiRole(role)),
      emojis: [],
      stickers: [],
      features: [],
      mfa_level: GuildMFALevel.None,
      application_id: null,
      system_channel_id: null,
      system_channel_flags: NO_FLAGS as GuildSystemChannelFlags,
      rules_channel_id: null,
      max_presences: null,
      max_members: 500000,
      vanity_url_code: null,
      description: null,
      banner: null,
      premium_tier: GuildPremiumTier.None,
      premium_subscription_count: 0,
      preferred_locale: guild.locale,
      public_updates_channel_id: null,
      max_video_channel_users: 25,
      max_stage_video_channel_users: 50,
      nsfw_level: GuildNSFWLevel.Default,
      premium_progress_bar_enabled: false,
      hub_type: null,
      safety_alerts_channel_id: null,
      incidents_data: null,
    };
  }

  // ---- messages ------------------------------------------------------------------------------

  storeMessage(record: MessageRecord): void {
    this.#messages.set(record.message.id, record);
    if (record.ephemeral) return;
    const list = this.#channelMessages.get(record.message.channel_id);
    if (!list) throw notFound(RESTJSONErrorCodes.UnknownChannel, 'Channel');
    list.push(record);
    const { channel } = this.channel(record.message.channel_id);
    channel.lastMessageId = record.message.id;
  }

  /** Messages of a channel in creation order (oldest first), deleted ones left out. */
  channelMessages(channelId: string): APIMessage[] {
    return (this.#channelMessages.get(channelId) ?? []).filter((r) => !r.deleted).map((r) => r.message);
  }

  messageRecord(messageId: string): MessageRecord | undefined {
    return this.#messages.get(messageId);
  }

  /** Throws 404 Unknown Message unless the message exists in that channel. */
  channelMessage(channelId: string, messageId: string): MessageRecord {
    const record = this.#messages.get(messageId);
    if (!record || record.deleted || record.ephemeral || record.message.channel_id !== channelId) {
      throw notFound(RESTJSONErrorCodes.UnknownMessage, 'Message');
    }
    return record;
  }

  /** GET /channels/{id}/messages semantics: newest first, `limit` 1-100, one of before/after/around. */
  pageMessages(channelId: string, query: { limit?: number; before?: string; after?: string; around?: string }): APIMessage[] {
    const all = this.channelMessages(channelId);
    const limit = query.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new DiscordApiError(400, RESTJSONErrorCodes.InvalidFormBodyOrContentType, 'Invalid Form Body', {
        limit: { _errors: [{ code: 'NUMBER_TYPE_MAX', message: 'Int value should be less than or equal to 100.' }] },
      });
    }
    const newestFirst = [...all].reverse();
    const big = (id: string) => BigInt(id);
    if (query.before) return newestFirst.filter((m) => big(m.id) < big(query.before!)).slice(0, limit);
    if (query.after) {
      return all
        .filter((m) => big(m.id) > big(query.after!))
        .slice(0, limit)
        .reverse();
    }
    if (query.around) {
      const pivot = big(query.around);
      const older = newestFirst.filter((m) => big(m.id) <= pivot).slice(0, Math.ceil(limit / 2));
      const newer = all.filter((m) => big(m.id) > pivot).slice(0, Math.floor(limit / 2)).reverse();
      return [...newer, ...older];
    }
    return newestFirst.slice(0, limit);
  }

  createdAt(id: string): string {
    return new Date(snowflakeTimestamp(id)).toISOString();
  }
}
