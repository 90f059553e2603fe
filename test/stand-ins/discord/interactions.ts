/**
 * Interactions, after "Interactions > Receiving and Responding": the drivers build the
 * INTERACTION_CREATE payloads a Discord client would cause, the callback and webhook routes
 * apply Discord's rules (one initial response within 3 s, response types allowed per
 * interaction type, follow-ups and @original edits for 15 minutes), and handles let tests
 * await what the bot answered.
 */
import { randomBytes } from 'node:crypto';
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ComponentType,
  GatewayDispatchEvents,
  InteractionResponseType,
  InteractionType,
  MessageFlags,
  MessageType,
  PermissionFlagsBits,
  RESTJSONErrorCodes,
  type APIApplicationCommand,
  type APIApplicationCommandOption,
  type APIInteraction,
  type APIMessage,
  type APIUser,
} from 'discord-api-types/v10';
import { DiscordApiError, invalidFormBody } from './errors.js';
import type { Gateway } from './gateway.js';
import type { UploadedFile } from './http.js';
import type { Messages } from './messages.js';
import { toPermissionBits } from './permissions.js';
import { snowflake } from './snowflake.js';
import type { ChannelRecord, DiscordState, GuildRecord, MemberRecord, MessageRecord, PermissionsInput, UserRef } from './state.js';
import { checkAutocompleteResult, checkMessageBody, checkModal, isObject, type Json } from './validation.js';
import { Recorded } from './waiters.js';

export type OptionValue = string | number | boolean;

/** An option as a test passes it; `type` is needed only for commands the bot has not registered. */
export interface OptionInput {
  name: string;
  value: OptionValue;
  type?: ApplicationCommandOptionType;
}

export interface InteractionContextInput {
  guildId: string;
  channelId: string;
  user: UserRef;
  /** `member.permissions` exactly as sent (e.g. '32' for Manage Guild, '0' for none); computed from roles when left out. */
  memberPermissions?: PermissionsInput;
  /** The user's client locale, e.g. 'pt-BR' or 'en-US' (default). */
  locale?: string;
  /** Override `app_permissions`; computed from the bot's roles in the channel otherwise. */
  appPermissions?: PermissionsInput;
}

export interface SlashCommandInput extends InteractionContextInput {
  name: string;
  subcommandGroup?: string;
  subcommand?: string;
  options?: Record<string, OptionValue> | OptionInput[];
  /**
   * A registered command with `default_member_permissions` cannot be run by members without them
   * (the Discord client hides it). Set this to simulate a server admin's override.
   */
  ignoreDefaultMemberPermissions?: boolean;
}

export interface AutocompleteInput extends SlashCommandInput {
  /** The option being typed in and its raw text. */
  focused: { name: string; value: string };
}

export interface ComponentInput extends Partial<Pick<InteractionContextInput, 'guildId' | 'channelId'>> {
  user: UserRef;
  customId: string;
  /** The message carrying the component; the newest message with that custom_id otherwise. */
  messageId?: string;
  /** Select menus: the chosen values. */
  values?: string[];
  memberPermissions?: PermissionsInput;
  locale?: string;
  appPermissions?: PermissionsInput;
}

export interface ModalSubmitInput extends InteractionContextInput {
  customId: string;
  components: { customId: string; value: string }[];
}

export interface InteractionResponseRecord {
  type: InteractionResponseType;
  data: Json | undefined;
  /** Whether the bot asked for `?with_response=true`. */
  withResponse: boolean;
  at: number;
}

export interface InteractionEditRecord {
  messageId: string;
  body: Json;
  at: number;
}

export interface InteractionHandle {
  readonly id: string;
  readonly token: string;
  readonly payload: APIInteraction;
  /** Gateway sessions the INTERACTION_CREATE was sent (or queued for replay) to. */
  readonly delivered: number;
  /** The initial callback (POST /interactions/{id}/{token}/callback); rejects when the bot does not answer in time. */
  waitForResponse(timeoutMs?: number): Promise<InteractionResponseRecord>;
  response(): InteractionResponseRecord | undefined;
  /** The original response message as it is now (after defer/edits), if there is one. */
  original(): APIMessage | undefined;
  /** Waits for a version of the original message matching `predicate` (default: not loading). */
  waitForOriginal(predicate?: (message: APIMessage) => boolean, timeoutMs?: number): Promise<APIMessage>;
  followUps(): APIMessage[];
  waitForFollowUp(predicate?: (message: APIMessage) => boolean, timeoutMs?: number): Promise<APIMessage>;
  /** Bodies of PATCH /webhooks/{app}/{token}/messages/{id} calls, in order. */
  edits(): InteractionEditRecord[];
}

interface InteractionRecord {
  id: string;
  token: string;
  type: InteractionType;
  payload: Json;
  createdAt: number;
  guildId: string;
  channelId: string;
  user: APIUser;
  commandName: string | null;
  responses: Recorded<InteractionResponseRecord>;
  originalVersions: Recorded<APIMessage>;
  followUps: Recorded<APIMessage>;
  edits: Recorded<InteractionEditRecord>;
  original: MessageRecord | null;
  /** Component and modal-from-component interactions: the message the component sits on. */
  source: MessageRecord | null;
  /** Whether the original is a deferred "thinking" message the first follow-up will fill in. */
  awaitingFirstFollowUp: boolean;
  modal: Json | null;
}

export interface InteractionOptions {
  applicationId: string;
  /** Discord invalidates an interaction not answered within 3 s. */
  responseTimeoutMs: number;
  /** Interaction tokens work for 15 minutes. */
  tokenTtlMs: number;
}

const ALLOWED_RESPONSES: Record<number, ReadonlySet<InteractionResponseType>> = {
  [InteractionType.ApplicationCommand]: new Set([
    InteractionResponseType.ChannelMessageWithSource,
    InteractionResponseType.DeferredChannelMessageWithSource,
    InteractionResponseType.Modal,
    InteractionResponseType.LaunchActivity,
  ]),
  [InteractionType.MessageComponent]: new Set([
    InteractionResponseType.ChannelMessageWithSource,
    InteractionResponseType.DeferredChannelMessageWithSource,
    InteractionResponseType.DeferredMessageUpdate,
    InteractionResponseType.UpdateMessage,
    InteractionResponseType.Modal,
    InteractionResponseType.LaunchActivity,
  ]),
  [InteractionType.ApplicationCommandAutocomplete]: new Set([InteractionResponseType.ApplicationCommandAutocompleteResult]),
  [InteractionType.ModalSubmit]: new Set([
    InteractionResponseType.ChannelMessageWithSource,
    InteractionResponseType.DeferredChannelMessageWithSource,
    InteractionResponseType.DeferredMessageUpdate,
    InteractionResponseType.UpdateMessage,
  ]),
};

const O = ApplicationCommandOptionType;

function inferType(value: OptionValue): ApplicationCommandOptionType {
  if (typeof value === 'boolean') return O.Boolean;
  if (typeof value === 'number') return Number.isInteger(value) ? O.Integer : O.Number;
  return O.String;
}

function componentsIn(nodes: unknown): Json[] {
  const found: Json[] = [];
  const visit = (node: unknown) => {
    if (!isObject(node)) return;
    found.push(node);
    if (Array.isArray(node.components)) node.components.forEach(visit);
    if (isObject(node.component)) visit(node.component);
    if (isObject(node.accessory)) visit(node.accessory);
  };
  if (Array.isArray(nodes)) nodes.forEach(visit);
  return found;
}

interface Context {
  guild: GuildRecord;
  channel: ChannelRecord;
  user: APIUser;
  member: MemberRecord;
  memberPermissions: bigint;
  appPermissions: bigint;
  locale: string;
}

export class Interactions {
  readonly #byId = new Map<string, InteractionRecord>();
  readonly #byToken = new Map<string, InteractionRecord>();
  readonly #commandIds = new Map<string, string>();

  constructor(
    readonly options: InteractionOptions,
    readonly state: DiscordState,
    readonly gateway: Gateway,
    readonly messages: Messages,
  ) {}

  // ---- drivers ---------------------------------------------------------------------------------

  sendSlashCommand(input: SlashCommandInput): InteractionHandle {
    const context = this.#context(input);
    const command = this.#findCommand(input.guildId, input.name);
    if (command) this.#checkDefaultPermissions(command, context.memberPermissions, input);
    const { options, resolved } = this.#commandOptions(command, input, context.guild, null);
    const data: Json = {
      id: command?.id ?? this.#syntheticCommandId(input.name),
      name: input.name,
      type: ApplicationCommandType.ChatInput,
      ...(options.length ? { options } : {}),
      ...(resolved ? { resolved } : {}),
      ...(command?.guild_id ? { guild_id: command.guild_id } : {}),
    };
    return this.#dispatch(InteractionType.ApplicationCommand, context, data, null, input.name);
  }

  sendAutocomplete(input: AutocompleteInput): InteractionHandle {
    const context = this.#context(input);
    const command = this.#findCommand(input.guildId, input.name);
    if (command) this.#checkDefaultPermissions(command, context.memberPermissions, input);
    const { options } = this.#commandOptions(command, input, context.guild, input.focused);
    const data: Json = {
      id: command?.id ?? this.#syntheticCommandId(input.name),
      name: input.name,
      type: ApplicationCommandType.ChatInput,
      options,
      ...(command?.guild_id ? { guild_id: command.guild_id } : {}),
    };
    return this.#dispatch(InteractionType.ApplicationCommandAutocomplete, context, data, null, input.name);
  }

  sendComponent(input: ComponentInput, expect?: 'button' | 'select'): InteractionHandle {
    const source = this.#findComponentMessage(input);
    const component = componentsIn(source.message.components).find((c) => c.custom_id === input.customId)!;
    const type = component.type as ComponentType;
    if (component.disabled === true) throw new Error(`fake-discord: component ${input.customId} is disabled; a user cannot use it`);
    if (expect === 'button' && type !== ComponentType.Button) throw new Error(`fake-discord: component ${input.customId} is not a button (type ${type})`);
    if (expect === 'select' && type === ComponentType.Button) throw new Error(`fake-discord: component ${input.customId} is a button, not a select menu`);
    const data: Json = { custom_id: input.customId, component_type: type };
    if (type !== ComponentType.Button) {
      const values = input.values ?? [];
      const min = typeof component.min_values === 'number' ? component.min_values : 1;
      const max = typeof component.max_values === 'number' ? component.max_values : 1;
      if (values.length < min || values.length > max) throw new Error(`fake-discord: select ${input.customId} takes ${min}..${max} values, got ${values.length}`);
      if (type === ComponentType.StringSelect) {
        const offered = new Set((Array.isArray(component.options) ? component.options : []).filter(isObject).map((o) => o.value));
        const unknown = values.filter((v) => !offered.has(v));
        if (unknown.length) throw new Error(`fake-discord: select ${input.customId} offers no option ${unknown.join(', ')}`);
      }
      data.values = values;
    }
    const guildId = source.guildId!;
    const context = this.#context({ ...input, guildId, channelId: source.message.channel_id });
    return this.#dispatch(InteractionType.MessageComponent, context, data, source, null);
  }

  sendModalSubmit(input: ModalSubmitInput): InteractionHandle {
    const context = this.#context(input);
    const shown = [...this.#byId.values()].reverse().find((r) => r.modal?.custom_id === input.customId && r.user.id === context.user.id);
    if (!shown?.modal) {
      throw new Error(`fake-discord: no modal with custom_id "${input.customId}" was shown to user ${context.user.id}; a user can only submit a modal the bot opened`);
    }
    const given = new Map(input.components.map((c) => [c.customId, c.value]));
    const fields = componentsIn(shown.modal.components).filter((c) => c.type === ComponentType.TextInput);
    for (const id of given.keys()) {
      if (!fields.some((f) => f.custom_id === id)) throw new Error(`fake-discord: modal "${input.customId}" has no text input "${id}"`);
    }
    let nextId = 1;
    const submitted = (Array.isArray(shown.modal.components) ? shown.modal.components : []).filter(isObject).map((top) => {
      const textInput = (node: Json): Json => {
        const value = given.get(String(node.custom_id)) ?? (typeof node.value === 'string' ? node.value : '');
        const required = node.required !== false;
        if (required && value.length === 0) throw new Error(`fake-discord: text input "${String(node.custom_id)}" is required`);
        if (value.length > 0 && typeof node.min_length === 'number' && value.length < node.min_length) {
          throw new Error(`fake-discord: text input "${String(node.custom_id)}" needs at least ${node.min_length} characters`);
        }
        if (typeof node.max_length === 'number' && value.length > node.max_length) {
          throw new Error(`fake-discord: text input "${String(node.custom_id)}" takes at most ${node.max_length} characters`);
        }
        return { type: ComponentType.TextInput, id: typeof node.id === 'number' ? node.id : nextId++, custom_id: node.custom_id, value };
      };
      const id = typeof top.id === 'number' ? top.id : nextId++;
      if (top.type === ComponentType.ActionRow) {
        return { type: ComponentType.ActionRow, id, components: (top.components as Json[]).map(textInput) };
      }
      if (top.type === ComponentType.Label && isObject(top.component) && top.component.type === ComponentType.TextInput) {
        return { type: ComponentType.Label, id, component: textInput(top.component) };
      }
      return { type: top.type, id };
    });
    const data: Json = { custom_id: input.customId, components: submitted };
    return this.#dispatch(InteractionType.ModalSubmit, context, data, shown.source, shown.commandName);
  }

  // ---- building payloads -------------------------------------------------------------------------

  #context(input: InteractionContextInput): Context {
    const { guild, channel } = this.state.channel(input.channelId);
    if (guild.id !== input.guildId) throw new Error(`fake-discord: channel ${input.channelId} is not in guild ${input.guildId}`);
    const user = this.state.resolveUser(input.user);
    const member = this.state.ensureMember(guild.id, user.id);
    const memberPermissions =
      input.memberPermissions !== undefined ? toPermissionBits(input.memberPermissions) : this.state.permissionsOf(guild, user.id, channel);
    const appPermissions =
      input.appPermissions !== undefined ? toPermissionBits(input.appPermissions) : this.state.permissionsOf(guild, this.state.botUser.id, channel);
    return { guild, channel, user, member, memberPermissions, appPermissions, locale: input.locale ?? 'en-US' };
  }

  #findCommand(guildId: string, name: string): APIApplicationCommand | undefined {
    const match = (list: APIApplicationCommand[] | undefined) =>
      list?.find((c) => c.name === name && (c.type ?? ApplicationCommandType.ChatInput) === ApplicationCommandType.ChatInput);
    return match(this.state.commands.get(guildId)) ?? match(this.state.commands.get('global'));
  }

  #syntheticCommandId(name: string): string {
    let id = this.#commandIds.get(name);
    if (!id) {
      id = snowflake();
      this.#commandIds.set(name, id);
    }
    return id;
  }

  #checkDefaultPermissions(command: APIApplicationCommand, memberPermissions: bigint, input: SlashCommandInput): void {
    if (input.ignoreDefaultMemberPermissions || command.default_member_permissions == null) return;
    const required = BigInt(command.default_member_permissions);
    const admin = (memberPermissions & PermissionFlagsBits.Administrator) === PermissionFlagsBits.Administrator;
    if (!admin && (required === 0n || (memberPermissions & required) !== required)) {
      throw new Error(
        `fake-discord: /${command.name} needs default_member_permissions ${required} and the member has ${memberPermissions}; ` +
          'Discord would not let this user run it (pass ignoreDefaultMemberPermissions to simulate a server override)',
      );
    }
  }

  /**
   * Turns the test's options into the interaction's nested `options` (subcommand group >
   * subcommand > values) and `resolved` data, checked against the registered definition when
   * the bot registered the command.
   */
  #commandOptions(command: APIApplicationCommand | undefined, input: SlashCommandInput, guild: GuildRecord, focused: { name: string; value: string } | null) {
    const given: OptionInput[] = Array.isArray(input.options)
      ? input.options
      : Object.entries(input.options ?? {}).map(([name, value]) => ({ name, value }));
    let definitions: APIApplicationCommandOption[] | undefined = command ? (command.options ?? []) : undefined;
    const path: string[] = [];
    for (const [kind, name] of [
      [O.SubcommandGroup, input.subcommandGroup],
      [O.Subcommand, input.subcommand],
    ] as const) {
      if (!name) continue;
      path.push(name);
      if (definitions) {
        const found = definitions.find((d) => d.type === kind && d.name === name);
        if (!found) throw new Error(`fake-discord: /${input.name} has no ${kind === O.Subcommand ? 'subcommand' : 'subcommand group'} "${name}"`);
        definitions = 'options' in found ? (found.options as APIApplicationCommandOption[] | undefined) ?? [] : [];
      }
    }
    if (definitions?.some((d) => d.type === O.Subcommand || d.type === O.SubcommandGroup)) {
      throw new Error(`fake-discord: /${input.name} ${path.join(' ')} needs a subcommand`);
    }

    const resolved: { users?: Json; members?: Json; roles?: Json; channels?: Json } = {};
    const values: Json[] = given.map((option) => {
      const definition = definitions?.find((d) => d.name === option.name);
      if (definitions && !definition) throw new Error(`fake-discord: /${[input.name, ...path].join(' ')} has no option "${option.name}"`);
      const type = definition?.type ?? option.type ?? inferType(option.value);
      const isFocused = focused?.name === option.name;
      const value = isFocused ? focused!.value : this.#checkValue(input.name, option, type, definition, guild, resolved);
      return { name: option.name, type, value, ...(isFocused ? { focused: true } : {}) };
    });
    if (focused && !values.some((v) => v.focused)) {
      const definition = definitions?.find((d) => d.name === focused.name);
      if (definitions && !definition) throw new Error(`fake-discord: /${input.name} has no option "${focused.name}"`);
      if (definition && !('autocomplete' in definition && definition.autocomplete)) {
        throw new Error(`fake-discord: option "${focused.name}" of /${input.name} does not use autocomplete`);
      }
      values.push({ name: focused.name, type: definition?.type ?? O.String, value: focused.value, focused: true });
    }
    if (definitions && !focused) {
      for (const definition of definitions) {
        if ('required' in definition && definition.required && !given.some((o) => o.name === definition.name)) {
          throw new Error(`fake-discord: /${[input.name, ...path].join(' ')} requires option "${definition.name}"`);
        }
      }
    }
    let options: Json[] = values;
    if (input.subcommand) options = [{ name: input.subcommand, type: O.Subcommand, ...(values.length ? { options: values } : { options: [] }) }];
    if (input.subcommandGroup) options = [{ name: input.subcommandGroup, type: O.SubcommandGroup, options }];
    return { options, resolved: Object.keys(resolved).length ? resolved : null };
  }

  #checkValue(
    command: string,
    option: OptionInput,
    type: ApplicationCommandOptionType,
    definition: APIApplicationCommandOption | undefined,
    guild: GuildRecord,
    resolved: { users?: Json; members?: Json; roles?: Json; channels?: Json },
  ): OptionValue {
    const { value } = option;
    const fail = (why: string): never => {
      throw new Error(`fake-discord: option "${option.name}" of /${command}: ${why}`);
    };
    const def = definition as (APIApplicationCommandOption & Json) | undefined;
    switch (type) {
      case O.String:
        if (typeof value !== 'string') fail('expects a string');
        if (typeof def?.min_length === 'number' && (value as string).length < def.min_length) fail(`shorter than min_length ${def.min_length}`);
        if (typeof def?.max_length === 'number' && (value as string).length > def.max_length) fail(`longer than max_length ${def.max_length}`);
        break;
      case O.Integer:
      case O.Number:
        if (typeof value !== 'number' || (type === O.Integer && !Number.isInteger(value))) fail(type === O.Integer ? 'expects an integer' : 'expects a number');
        if (typeof def?.min_value === 'number' && (value as number) < def.min_value) fail(`below min_value ${def.min_value}`);
        if (typeof def?.max_value === 'number' && (value as number) > def.max_value) fail(`above max_value ${def.max_value}`);
        break;
      case O.Boolean:
        if (typeof value !== 'boolean') fail('expects a boolean');
        break;
      case O.User:
      case O.Mentionable: {
        const id = String(value);
        const user = this.state.users.get(id);
        if (user) {
          (resolved.users ??= {})[id] = structuredClone(user);
          const member = guild.members.get(id);
          if (member) {
            const { user: _user, ...partial } = this.state.apiMember(guild, member);
            (resolved.members ??= {})[id] = { ...partial, permissions: this.state.permissionsOf(guild, id).toString() };
          }
          break;
        }
        if (type === O.User) fail(`no user ${id}`);
        const role = guild.roles.get(id);
        if (!role) fail(`no user or role ${id}`);
        (resolved.roles ??= {})[id] = structuredClone(role!);
        break;
      }
      case O.Role: {
        const role = guild.roles.get(String(value));
        if (!role) fail(`no role ${String(value)} in the guild`);
        (resolved.roles ??= {})[role!.id] = structuredClone(role!);
        break;
      }
      case O.Channel: {
        const channel = guild.channels.get(String(value));
        if (!channel) fail(`no channel ${String(value)} in the guild`);
        const allowedTypes = Array.isArray(def?.channel_types) ? (def!.channel_types as number[]) : null;
        if (allowedTypes && !allowedTypes.includes(channel!.type)) fail(`channel type ${channel!.type} is not one of ${allowedTypes.join(', ')}`);
        (resolved.channels ??= {})[channel!.id] = {
          id: channel!.id,
          name: channel!.name,
          type: channel!.type,
          parent_id: channel!.parentId,
          permissions: this.state.permissionsOf(guild, this.state.botUser.id, channel).toString(),
        };
        break;
      }
      default:
        fail(`option type ${type} is not supported by the stand-in`);
    }
    if (def && 'choices' in def && Array.isArray(def.choices) && def.choices.length && !def.choices.some((c) => c.value === value)) {
      fail(`${JSON.stringify(value)} is not one of the choices`);
    }
    return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : String(value);
  }

  #findComponentMessage(input: ComponentInput): MessageRecord {
    const hasComponent = (record: MessageRecord | undefined) =>
      Boolean(record && !record.deleted && componentsIn(record.message.components).some((c) => c.custom_id === input.customId));
    if (input.messageId) {
      const record = this.state.messageRecord(input.messageId);
      if (!record || record.deleted) throw new Error(`fake-discord: no message ${input.messageId}`);
      if (!hasComponent(record)) throw new Error(`fake-discord: message ${input.messageId} has no component "${input.customId}"`);
      return record;
    }
    const candidates: MessageRecord[] = [];
    if (input.channelId) {
      for (const message of this.state.channelMessages(input.channelId)) candidates.push(this.state.messageRecord(message.id)!);
    }
    for (const record of this.#byId.values()) {
      if (record.original) candidates.push(record.original);
      for (const message of record.followUps.all()) {
        const found = this.state.messageRecord(message.id);
        if (found) candidates.push(found);
      }
    }
    const match = candidates
      .filter((record) => hasComponent(record) && (!input.channelId || record.message.channel_id === input.channelId))
      .sort((a, b) => (BigInt(a.message.id) < BigInt(b.message.id) ? 1 : -1))[0];
    if (!match) throw new Error(`fake-discord: no message with a component "${input.customId}"${input.channelId ? ` in channel ${input.channelId}` : ''}`);
    return match;
  }

  #dispatch(
    type: InteractionType,
    context: Context,
    data: Json,
    source: MessageRecord | null,
    commandName: string | null,
  ): InteractionHandle {
    const { guild, channel, user, member, memberPermissions, appPermissions, locale } = context;
    const id = snowflake();
    // Shaped like Discord's: base64 of "interaction:<id>:<secret>".
    const token = Buffer.from(`interaction:${id}:${randomBytes(48).toString('base64url')}`).toString('base64url');
    const apiMember = this.state.apiMember(guild, member);
    const payload: Json = {
      id,
      application_id: this.options.applicationId,
      type,
      data,
      guild: { id: guild.id, locale: guild.locale, features: [] },
      guild_id: guild.id,
      channel: { ...(this.state.apiChannel(channel) as unknown as Json), permissions: memberPermissions.toString() },
      channel_id: channel.id,
      member: { ...apiMember, permissions: memberPermissions.toString() },
      token,
      version: 1,
      app_permissions: appPermissions.toString(),
      locale,
      guild_locale: guild.locale,
      entitlements: [],
      authorizing_integration_owners: { '0': guild.id },
      context: 0,
      attachment_size_limit: 10 * 1024 * 1024,
    };
    if (source) payload.message = structuredClone(source.message);
    if (!this.gateway.hasLiveSession()) {
      throw new Error('fake-discord: the bot has no gateway session (not logged in, or its session was closed); nothing would receive the interaction');
    }
    const record: InteractionRecord = {
      id,
      token,
      type,
      payload,
      createdAt: Date.now(),
      guildId: guild.id,
      channelId: channel.id,
      user,
      commandName,
      responses: new Recorded(),
      originalVersions: new Recorded(),
      followUps: new Recorded(),
      edits: new Recorded(),
      original: null,
      source,
      awaitingFirstFollowUp: false,
      modal: null,
    };
    this.#byId.set(id, record);
    this.#byToken.set(token, record);
    const delivered = this.gateway.dispatch(GatewayDispatchEvents.InteractionCreate, () => structuredClone(payload), guild.id);
    return this.#handle(record, delivered);
  }

  #handle(record: InteractionRecord, delivered: number): InteractionHandle {
    const describe = () => `interaction ${record.id} (${InteractionType[record.type]}${record.commandName ? ` /${record.commandName}` : ''})`;
    const defaultWait = this.options.responseTimeoutMs + 500;
    return {
      id: record.id,
      token: record.token,
      payload: record.payload as unknown as APIInteraction,
      delivered,
      waitForResponse: (timeoutMs = defaultWait) =>
        record.responses.waitFor(() => true, timeoutMs, () => `the bot's initial response to ${describe()} (Discord shows "The application did not respond" after ${this.options.responseTimeoutMs} ms)`),
      response: () => record.responses.all()[0],
      original: () => (record.original && !record.original.deleted ? record.original.message : undefined),
      waitForOriginal: (predicate = (m) => ((m.flags ?? 0) & MessageFlags.Loading) === 0, timeoutMs = 5000) =>
        record.originalVersions.waitFor(predicate, timeoutMs, () => `the original response of ${describe()} to match`),
      followUps: () => record.followUps.all(),
      waitForFollowUp: (predicate = () => true, timeoutMs = 5000) => record.followUps.waitFor(predicate, timeoutMs, () => `a follow-up to ${describe()}`),
      edits: () => record.edits.all(),
    };
  }

  // ---- callback and webhook routes -----------------------------------------------------------------

  #messageType(record: InteractionRecord): MessageType {
    return record.type === InteractionType.ApplicationCommand ? MessageType.ChatInputCommand : MessageType.Reply;
  }

  #metadata(record: InteractionRecord): Partial<APIMessage> {
    return {
      webhook_id: this.options.applicationId,
      application_id: this.options.applicationId,
      interaction_metadata: {
        id: record.id,
        type: record.type,
        user: structuredClone(record.user),
        authorizing_integration_owners: { '0': record.guildId },
        ...(record.original ? { original_response_message_id: record.original.message.id } : {}),
      } as APIMessage['interaction_metadata'],
      ...(record.commandName
        ? { interaction: { id: record.id, type: record.type, name: record.commandName, user: structuredClone(record.user) } as APIMessage['interaction'] }
        : {}),
    };
  }

  #newMessage(record: InteractionRecord, body: Json, files: UploadedFile[], extraFlags: number, ephemeral: boolean): MessageRecord {
    const meta = this.#metadata(record);
    return this.messages.create({
      channelId: record.channelId,
      author: this.state.botUser,
      body,
      files,
      type: this.#messageType(record),
      flags: extraFlags | (ephemeral ? MessageFlags.Ephemeral : 0),
      ephemeral,
      webhookId: meta.webhook_id,
      applicationId: meta.application_id,
      interactionMetadata: meta.interaction_metadata,
      interaction: meta.interaction,
    }).record;
  }

  /** POST /interactions/{interaction.id}/{interaction.token}/callback */
  callback(id: string, token: string, body: unknown, files: UploadedFile[], withResponse: boolean): { status: number; body?: unknown } {
    const record = this.#byId.get(id);
    if (!record || record.token !== token) throw new DiscordApiError(404, RESTJSONErrorCodes.UnknownInteraction, 'Unknown interaction');
    if (record.responses.all().length) {
      throw new DiscordApiError(400, RESTJSONErrorCodes.InteractionHasAlreadyBeenAcknowledged, 'Interaction has already been acknowledged.');
    }
    if (Date.now() - record.createdAt > this.options.responseTimeoutMs) {
      throw new DiscordApiError(404, RESTJSONErrorCodes.UnknownInteraction, 'Unknown interaction');
    }
    if (!isObject(body) || typeof body.type !== 'number') {
      throw invalidFormBody([{ path: ['type'], code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }]);
    }
    const type = body.type as InteractionResponseType;
    const allowed = ALLOWED_RESPONSES[record.type];
    const needsSource = type === InteractionResponseType.DeferredMessageUpdate || type === InteractionResponseType.UpdateMessage;
    if (!allowed?.has(type) || (needsSource && !record.source)) {
      throw invalidFormBody([
        { path: ['type'], code: 'INTERACTION_RESPONSE_TYPE_INVALID', message: `Interaction response type ${type} is not valid for interaction type ${record.type}` },
      ]);
    }
    const data = isObject(body.data) ? body.data : undefined;
    const flags = typeof data?.flags === 'number' ? data.flags : 0;
    const ephemeral = (flags & MessageFlags.Ephemeral) !== 0;
    let message: APIMessage | undefined;

    switch (type) {
      case InteractionResponseType.ChannelMessageWithSource: {
        checkMessageBody(data, { interaction: true, files: files.length });
        record.original = this.#newMessage(record, data!, files, 0, ephemeral);
        message = record.original.message;
        break;
      }
      case InteractionResponseType.DeferredChannelMessageWithSource: {
        record.original = this.#newMessage(record, { content: '' }, [], MessageFlags.Loading, ephemeral);
        record.awaitingFirstFollowUp = true;
        message = record.original.message;
        break;
      }
      case InteractionResponseType.DeferredMessageUpdate:
        record.original = record.source;
        break;
      case InteractionResponseType.UpdateMessage: {
        const source = record.source!;
        checkMessageBody(data ?? {}, { edit: true, files: files.length, existing: source.message as unknown as Json });
        this.messages.edit(source, data ?? {}, files);
        record.original = source;
        message = source.message;
        break;
      }
      case InteractionResponseType.ApplicationCommandAutocompleteResult:
        checkAutocompleteResult(data);
        break;
      case InteractionResponseType.Modal:
        record.modal = structuredClone(checkModal(data));
        break;
      default:
        break;
    }

    const response: InteractionResponseRecord = { type, data: data ? structuredClone(data) : undefined, withResponse, at: Date.now() };
    if (record.original) record.originalVersions.push(structuredClone(record.original.message));
    record.responses.push(response);
    if (!withResponse) return { status: 204 };
    return {
      status: 200,
      body: {
        interaction: {
          id: record.id,
          type: record.type,
          ...(message
            ? {
                response_message_id: message.id,
                response_message_loading: ((message.flags ?? 0) & MessageFlags.Loading) !== 0,
                response_message_ephemeral: ((message.flags ?? 0) & MessageFlags.Ephemeral) !== 0,
              }
            : {}),
        },
        resource: { type, ...(message && type !== InteractionResponseType.DeferredChannelMessageWithSource ? { message } : {}) },
      },
    };
  }

  #byWebhook(applicationId: string, token: string): InteractionRecord {
    if (applicationId !== this.options.applicationId) throw new DiscordApiError(404, RESTJSONErrorCodes.UnknownWebhook, 'Unknown Webhook');
    const record = this.#byToken.get(token);
    if (!record || Date.now() - record.createdAt > this.options.tokenTtlMs) {
      throw new DiscordApiError(401, RESTJSONErrorCodes.InvalidWebhookToken, 'Invalid Webhook Token');
    }
    if (!record.responses.all().length) throw new DiscordApiError(404, RESTJSONErrorCodes.UnknownWebhook, 'Unknown Webhook');
    return record;
  }

  #webhookMessage(record: InteractionRecord, messageId: string): MessageRecord {
    if (messageId === '@original') {
      if (!record.original || record.original.deleted) throw new DiscordApiError(404, RESTJSONErrorCodes.UnknownMessage, 'Unknown Message');
      return record.original;
    }
    const found = this.state.messageRecord(messageId);
    const ours = found && !found.deleted && (found === record.original || record.followUps.all().some((m) => m.id === messageId));
    if (!ours) throw new DiscordApiError(404, RESTJSONErrorCodes.UnknownMessage, 'Unknown Message');
    return found!;
  }

  /** POST /webhooks/{application.id}/{interaction.token} */
  followUp(applicationId: string, token: string, body: unknown, files: UploadedFile[], wait: boolean): { status: number; body?: unknown } {
    const record = this.#byWebhook(applicationId, token);
    checkMessageBody(body, { interaction: true, files: files.length });
    const json = body as Json;
    let message: MessageRecord;
    if (record.awaitingFirstFollowUp && record.original && !record.original.deleted) {
      // After a deferred response the first follow-up fills in the "thinking" message and keeps its ephemerality.
      record.awaitingFirstFollowUp = false;
      const { flags: _flags, ...rest } = json;
      this.messages.edit(record.original, rest, files, { clearFlags: MessageFlags.Loading, markEdited: false });
      message = record.original;
      record.originalVersions.push(structuredClone(message.message));
    } else {
      const flags = typeof json.flags === 'number' ? json.flags : 0;
      message = this.#newMessage(record, json, files, 0, (flags & MessageFlags.Ephemeral) !== 0);
    }
    record.followUps.push(structuredClone(message.message));
    return wait ? { status: 200, body: message.message } : { status: 204 };
  }

  /** GET /webhooks/{application.id}/{interaction.token}/messages/{message.id | @original} */
  getMessage(applicationId: string, token: string, messageId: string): APIMessage {
    return this.#webhookMessage(this.#byWebhook(applicationId, token), messageId).message;
  }

  /** PATCH /webhooks/{application.id}/{interaction.token}/messages/{message.id | @original} */
  editMessage(applicationId: string, token: string, messageId: string, body: unknown, files: UploadedFile[]): APIMessage {
    const record = this.#byWebhook(applicationId, token);
    const target = this.#webhookMessage(record, messageId);
    const json = isObject(body) ? body : {};
    const loading = ((target.message.flags ?? 0) & MessageFlags.Loading) !== 0;
    checkMessageBody(json, { edit: true, interaction: true, files: files.length, existing: loading ? {} : (target.message as unknown as Json) });
    this.messages.edit(target, json, files, { clearFlags: MessageFlags.Loading, markEdited: !loading });
    if (target === record.original) {
      record.awaitingFirstFollowUp = false;
      record.originalVersions.push(structuredClone(target.message));
    }
    record.edits.push({ messageId: messageId === '@original' ? target.message.id : messageId, body: structuredClone(json), at: Date.now() });
    return target.message;
  }

  /** DELETE /webhooks/{application.id}/{interaction.token}/messages/{message.id | @original} */
  deleteMessage(applicationId: string, token: string, messageId: string): void {
    const record = this.#byWebhook(applicationId, token);
    this.messages.delete(this.#webhookMessage(record, messageId));
  }
}
