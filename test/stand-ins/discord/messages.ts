/**
 * Message creation, edits and deletion shared by the channel routes, interaction responses and
 * the `sendMessage` driver, plus MESSAGE_* dispatches with Discord's intent rules:
 * guild messages need GUILD_MESSAGES; without MESSAGE_CONTENT the content, embeds, attachments
 * and components arrive empty (and poll absent) unless the bot wrote the message or is mentioned.
 */
import {
  GatewayDispatchEvents,
  GatewayIntentBits,
  MessageFlags,
  MessageType,
  type APIAttachment,
  type APIEmbed,
  type APIMessage,
  type APIUser,
} from 'discord-api-types/v10';
import type { Gateway, GatewaySession } from './gateway.js';
import type { UploadedFile } from './http.js';
import { snowflake } from './snowflake.js';
import type { DiscordState, MessageRecord } from './state.js';
import { isObject, type Json } from './validation.js';
import { Recorded } from './waiters.js';

export interface NewMessage {
  channelId: string;
  author: APIUser;
  body: Json;
  files?: UploadedFile[];
  type?: MessageType;
  /** Extra flags the server sets (Ephemeral, Loading) on top of those in the body. */
  flags?: number;
  ephemeral?: boolean;
  webhookId?: string;
  applicationId?: string;
  interactionMetadata?: APIMessage['interaction_metadata'];
  interaction?: APIMessage['interaction'];
}

const USER_MENTION = /<@!?(\d{17,20})>/g;
const ROLE_MENTION = /<@&(\d{17,20})>/g;

/** Called synchronously when a message is created, before the REST answer goes out. */
export type MessageCreateListener = (message: APIMessage) => void;

export class Messages {
  /** A snapshot of every non-ephemeral message as created and after each edit, in order. */
  readonly versions = new Recorded<APIMessage>();
  readonly #createListeners = new Set<MessageCreateListener>();
  /** `<author id>:<nonce>` → the first message created with it, for enforce_nonce. */
  readonly #nonces = new Map<string, { record: MessageRecord; at: number }>();

  constructor(
    readonly state: DiscordState,
    readonly gateway: Gateway,
    readonly cdnBase: string,
    /** How long a nonce stays taken for `enforce_nonce` (Discord: "the past few minutes"). */
    readonly nonceWindowMs: number,
    readonly log: (message: string) => void = () => {},
  ) {}

  onCreate(listener: MessageCreateListener): () => void {
    this.#createListeners.add(listener);
    return () => this.#createListeners.delete(listener);
  }

  /**
   * enforce_nonce: the message this author created with this nonce within the window, if any.
   * Integer and string nonces are compared by their text.
   */
  byNonce(authorId: string, nonce: unknown): MessageRecord | undefined {
    if (typeof nonce !== 'string' && typeof nonce !== 'number') return undefined;
    const key = `${authorId}:${String(nonce)}`;
    const entry = this.#nonces.get(key);
    if (!entry) return undefined;
    if (Date.now() - entry.at > this.nonceWindowMs) {
      this.#nonces.delete(key);
      return undefined;
    }
    return entry.record;
  }

  #rememberNonce(record: MessageRecord, nonce: unknown): void {
    if (typeof nonce !== 'string' && typeof nonce !== 'number') return;
    // Every message with a nonce takes it, enforced or not: "another message created by the same author with the same nonce".
    if (this.byNonce(record.message.author.id, nonce)) return;
    this.#nonces.set(`${record.message.author.id}:${String(nonce)}`, { record, at: Date.now() });
  }

  /** Numbers components in tree order the way Discord fills in the optional `id` field. */
  #numberComponents(components: unknown): unknown[] {
    if (!Array.isArray(components)) return [];
    let next = 1;
    const visit = (node: unknown): unknown => {
      if (!isObject(node)) return node;
      const copy: Json = { ...node };
      if (copy.id === undefined) copy.id = next;
      next = Math.max(next, typeof copy.id === 'number' ? copy.id : next) + 1;
      if (Array.isArray(copy.components)) copy.components = copy.components.map(visit);
      if (isObject(copy.component)) copy.component = visit(copy.component);
      if (isObject(copy.accessory)) copy.accessory = visit(copy.accessory);
      return copy;
    };
    return structuredClone(components).map(visit);
  }

  #attachments(channelId: string, body: Json, files: UploadedFile[], kept: APIAttachment[] = []): APIAttachment[] {
    const described = Array.isArray(body.attachments) ? body.attachments.filter(isObject) : [];
    const result: APIAttachment[] = [];
    // Existing attachments are kept when listed by their (snowflake) id.
    for (const entry of described) {
      const existing = kept.find((a) => a.id === String(entry.id));
      if (existing) result.push(existing);
    }
    files.forEach((file, index) => {
      const match = /^files\[(\d+)\]$/.exec(file.field);
      const slot = match ? Number(match[1]) : index;
      const meta = described.find((entry) => String(entry.id) === String(slot));
      const id = snowflake();
      const filename = typeof meta?.filename === 'string' ? meta.filename : file.filename;
      const url = `${this.cdnBase}/attachments/${channelId}/${id}/${encodeURIComponent(filename)}`;
      result.push({
        id,
        filename,
        size: file.size,
        url,
        proxy_url: url,
        content_type: file.contentType || undefined,
        ...(typeof meta?.description === 'string' ? { description: meta.description } : {}),
      });
    });
    return result;
  }

  #mentions(guildId: string | null, content: string, allowed: unknown): Pick<APIMessage, 'mentions' | 'mention_roles' | 'mention_everyone'> {
    const rules = isObject(allowed) ? allowed : null;
    const parse = rules && Array.isArray(rules.parse) ? (rules.parse as string[]) : null;
    const allowUser = (id: string) => !rules || parse?.includes('users') || (Array.isArray(rules.users) && rules.users.includes(id));
    const allowRole = (id: string) => !rules || parse?.includes('roles') || (Array.isArray(rules.roles) && rules.roles.includes(id));
    const guild = guildId ? this.state.guilds.get(guildId) : undefined;
    const mentions: APIMessage['mentions'] = [];
    for (const [, id] of content.matchAll(USER_MENTION)) {
      const user = this.state.users.get(id!);
      if (!user || !allowUser(id!) || mentions.some((m) => m.id === id)) continue;
      const member = guild?.members.get(id!);
      const apiMember = member && guild ? this.state.apiMember(guild, member) : undefined;
      if (apiMember) {
        const { user: _user, ...partial } = apiMember;
        mentions.push({ ...structuredClone(user), member: partial } as APIMessage['mentions'][number]);
      } else {
        mentions.push(structuredClone(user));
      }
    }
    const mentionRoles = [...content.matchAll(ROLE_MENTION)].map(([, id]) => id!).filter((id) => guild?.roles.has(id) && allowRole(id));
    const everyone = /@(everyone|here)\b/.test(content) && (!rules || Boolean(parse?.includes('everyone')));
    return { mentions, mention_roles: [...new Set(mentionRoles)], mention_everyone: everyone };
  }

  build(input: NewMessage): APIMessage {
    const { guild } = this.state.channel(input.channelId);
    const id = snowflake();
    const body = input.body;
    const content = typeof body.content === 'string' ? body.content : '';
    const ownFlags = typeof body.flags === 'number' ? body.flags : 0;
    const message: APIMessage = {
      id,
      channel_id: input.channelId,
      author: structuredClone(input.author),
      content,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: body.tts === true,
      ...this.#mentions(guild.id, content, body.allowed_mentions),
      attachments: this.#attachments(input.channelId, body, input.files ?? []),
      embeds: Array.isArray(body.embeds) ? body.embeds.map((e) => ({ type: 'rich', ...structuredClone(e as Json) }) as APIEmbed) : [],
      pinned: false,
      type: input.type ?? MessageType.Default,
      flags: ownFlags | (input.flags ?? 0),
      components: this.#numberComponents(body.components) as APIMessage['components'],
    };
    if (typeof body.nonce === 'string' || typeof body.nonce === 'number') message.nonce = body.nonce;
    if (input.webhookId) message.webhook_id = input.webhookId;
    if (input.applicationId) message.application_id = input.applicationId;
    if (input.interactionMetadata) message.interaction_metadata = input.interactionMetadata;
    if (input.interaction) message.interaction = input.interaction;
    if (isObject(body.message_reference) && typeof body.message_reference.message_id === 'string') {
      message.message_reference = { type: 0, message_id: body.message_reference.message_id, channel_id: input.channelId, guild_id: guild.id };
      message.type = MessageType.Reply;
      const referenced = this.state.messageRecord(body.message_reference.message_id);
      if (referenced) message.referenced_message = structuredClone(referenced.message);
    }
    if (isObject(body.poll)) message.poll = structuredClone(body.poll) as unknown as APIMessage['poll'];
    return message;
  }

  /** Stores the message and dispatches MESSAGE_CREATE; `delivered` counts the sessions that got it. */
  create(input: NewMessage): { record: MessageRecord; delivered: number } {
    const { guild } = this.state.channel(input.channelId);
    const record: MessageRecord = { message: this.build(input), guildId: guild.id, ephemeral: input.ephemeral ?? false, deleted: false };
    this.state.storeMessage(record);
    if (record.ephemeral) return { record, delivered: 0 };
    this.#rememberNonce(record, input.body.nonce);
    this.versions.push(structuredClone(record.message));
    for (const listener of this.#createListeners) {
      try {
        listener(structuredClone(record.message));
      } catch (error) {
        this.log(`a message create listener threw: ${String(error)}`);
      }
    }
    return { record, delivered: this.dispatchCreate(record) };
  }

  /** PATCH semantics: fields present replace, `null` clears; attachments listed are kept. */
  edit(record: MessageRecord, body: Json, files: UploadedFile[] = [], options: { clearFlags?: number; markEdited?: boolean } = {}): APIMessage {
    const message = record.message;
    if ('content' in body) {
      message.content = typeof body.content === 'string' ? body.content : '';
      Object.assign(message, this.#mentions(record.guildId, message.content, body.allowed_mentions));
    }
    if ('embeds' in body) message.embeds = Array.isArray(body.embeds) ? body.embeds.map((e) => ({ type: 'rich', ...structuredClone(e as Json) }) as APIEmbed) : [];
    if ('components' in body) message.components = this.#numberComponents(body.components) as APIMessage['components'];
    if ('attachments' in body || files.length) message.attachments = this.#attachments(message.channel_id, body, files, message.attachments);
    if (typeof body.flags === 'number') {
      const keep = message.flags ?? 0;
      const editable = MessageFlags.SuppressEmbeds;
      message.flags = (keep & ~editable) | (body.flags & editable);
    }
    if (options.clearFlags) message.flags = (message.flags ?? 0) & ~options.clearFlags;
    if (options.markEdited !== false) message.edited_timestamp = new Date().toISOString();
    if (!record.ephemeral) {
      this.versions.push(structuredClone(message));
      this.#dispatchUpdate(record);
    }
    return message;
  }

  delete(record: MessageRecord): void {
    record.deleted = true;
    if (record.ephemeral) return;
    this.gateway.dispatch(
      GatewayDispatchEvents.MessageDelete,
      (session) => (session.has(GatewayIntentBits.GuildMessages) ? { id: record.message.id, channel_id: record.message.channel_id, guild_id: record.guildId } : undefined),
      record.guildId,
    );
  }

  /** The MESSAGE_CREATE data one session is entitled to see, or undefined without GUILD_MESSAGES. */
  #forSession(record: MessageRecord, session: GatewaySession): Json | undefined {
    if (record.guildId && !session.has(GatewayIntentBits.GuildMessages)) return undefined;
    const message = structuredClone(record.message) as unknown as Json;
    const botId = this.state.botUser.id;
    const mentionsBot = record.message.mentions.some((user) => user.id === botId);
    const visible = session.has(GatewayIntentBits.MessageContent) || record.message.author.id === botId || mentionsBot || !record.guildId;
    if (!visible) {
      message.content = '';
      message.embeds = [];
      message.attachments = [];
      message.components = [];
      delete message.poll;
    }
    if (record.guildId) {
      message.guild_id = record.guildId;
      const guild = this.state.guilds.get(record.guildId);
      const member = guild?.members.get(record.message.author.id);
      if (guild && member && !record.message.webhook_id) {
        const { user: _user, ...partial } = this.state.apiMember(guild, member);
        message.member = partial;
      }
    }
    return message;
  }

  /** Returns how many gateway sessions the message was delivered (or queued) to. */
  dispatchCreate(record: MessageRecord): number {
    return this.gateway.dispatch(GatewayDispatchEvents.MessageCreate, (session) => this.#forSession(record, session), record.guildId);
  }

  #dispatchUpdate(record: MessageRecord): void {
    this.gateway.dispatch(GatewayDispatchEvents.MessageUpdate, (session) => this.#forSession(record, session), record.guildId);
  }
}
