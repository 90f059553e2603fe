/**
 * The REST routes under /api/v10 that a discord.js bot uses: gateway discovery, the current
 * user and application, guild/channel reads, channel messages, command registration and the
 * interaction callback / webhook routes. Paths follow `Routes` in discord-api-types.
 */
import {
  ApplicationCommandType,
  GatewayDispatchEvents,
  GatewayIntentBits,
  PermissionFlagsBits,
  RESTJSONErrorCodes,
  type APIApplicationCommand,
  type APIUser,
} from 'discord-api-types/v10';
import { DiscordApiError, invalidFormBody, notFound, type FieldProblem } from './errors.js';
import type { Gateway } from './gateway.js';
import type { RouteContext, Router } from './http.js';
import type { Interactions } from './interactions.js';
import type { Messages } from './messages.js';
import { snowflake } from './snowflake.js';
import type { ChannelRecord, DiscordState, GuildRecord } from './state.js';
import { checkCommand, checkCommandList, checkMessageBody, isObject, type Json } from './validation.js';

export interface RestContext {
  router: Router;
  state: DiscordState;
  gateway: Gateway;
  messages: Messages;
  interactions: Interactions;
  applicationId: string;
  botUser: APIUser;
  gatewayUrl: string;
  applicationFlags: number;
  startedAt: number;
  /** The application owner's user id. */
  ownerId: string;
}

const ok = (body: unknown) => ({ status: 200, body });
const created = (body: unknown) => ({ status: 201, body });
const noContent = () => ({ status: 204 });

export function registerRoutes(ctx: RestContext): void {
  const { router, state, gateway, messages, interactions, applicationId, botUser } = ctx;
  const P = PermissionFlagsBits;

  const requireApp = (id: string | undefined) => {
    if (id !== applicationId) throw new DiscordApiError(403, RESTJSONErrorCodes.MissingAccess, 'Missing Access');
  };

  /** The channel, if the bot can see it: 404 Unknown Channel, else 403 Missing Access. */
  const visibleChannel = (channelId: string): { guild: GuildRecord; channel: ChannelRecord; permissions: bigint } => {
    const { guild, channel } = state.channel(channelId);
    const permissions = state.permissionsOf(guild, botUser.id, channel);
    if ((permissions & P.ViewChannel) === 0n) throw new DiscordApiError(403, RESTJSONErrorCodes.MissingAccess, 'Missing Access');
    return { guild, channel, permissions };
  };

  const requirePermission = (permissions: bigint, needed: bigint) => {
    if ((permissions & needed) !== needed) throw new DiscordApiError(403, RESTJSONErrorCodes.MissingPermissions, 'Missing Permissions');
  };

  // ---- gateway, user, application ---------------------------------------------------------------

  router.add({ method: 'GET', pattern: '/gateway', auth: 'open', handler: () => ok({ url: ctx.gatewayUrl }) });
  router.add({
    method: 'GET',
    pattern: '/gateway/bot',
    auth: 'bot',
    handler: () =>
      ok({
        url: ctx.gatewayUrl,
        shards: 1,
        session_start_limit: {
          total: 1000,
          remaining: Math.max(0, 1000 - gateway.identifyCount),
          reset_after: Math.max(0, 86_400_000 - (Date.now() - ctx.startedAt)),
          max_concurrency: 1,
        },
      }),
  });
  router.add({
    method: 'GET',
    pattern: '/users/@me',
    auth: 'bot',
    handler: () => ok({ ...botUser, verified: true, mfa_enabled: false, locale: 'en-US', email: null }),
  });
  router.add({
    method: 'GET',
    pattern: '/users/:user_id',
    auth: 'bot',
    handler: ({ params }) => {
      const user = state.users.get(params.user_id!);
      if (!user) throw notFound(RESTJSONErrorCodes.UnknownUser, 'User');
      return ok(user);
    },
  });
  router.add({
    method: 'GET',
    pattern: '/applications/@me',
    auth: 'bot',
    handler: () =>
      ok({
        id: applicationId,
        name: botUser.username,
        icon: null,
        description: '',
        summary: '',
        type: null,
        bot_public: true,
        bot_require_code_grant: false,
        verify_key: '0'.repeat(64),
        flags: ctx.applicationFlags,
        team: null,
        owner: { id: ctx.ownerId, username: 'app-owner', discriminator: '0', global_name: null, avatar: null, public_flags: 0, flags: 0 },
        bot: botUser,
        approximate_guild_count: state.guilds.size,
        install_params: { scopes: ['bot', 'applications.commands'], permissions: '0' },
        integration_types_config: { '0': {} },
      }),
  });

  // ---- application commands -------------------------------------------------------------------

  const scopeKey = (guildId?: string) => guildId ?? 'global';

  const materialize = (body: Json, guildId: string | undefined, previous: APIApplicationCommand | undefined): APIApplicationCommand => {
    const type = (body.type as ApplicationCommandType | undefined) ?? ApplicationCommandType.ChatInput;
    const command: Json = {
      id: previous?.id ?? snowflake(),
      application_id: applicationId,
      version: snowflake(),
      type,
      name: body.name,
      name_localizations: (body.name_localizations as Json | undefined) ?? null,
      description: typeof body.description === 'string' ? body.description : '',
      description_localizations: (body.description_localizations as Json | undefined) ?? null,
      default_member_permissions: (body.default_member_permissions as string | null | undefined) ?? null,
      nsfw: body.nsfw === true,
      ...(Array.isArray(body.options) && body.options.length ? { options: structuredClone(body.options) } : {}),
    };
    if (guildId) command.guild_id = guildId;
    else {
      command.integration_types = body.integration_types ?? [0];
      command.contexts = body.contexts ?? null;
      command.dm_permission = body.dm_permission ?? true;
    }
    return command as unknown as APIApplicationCommand;
  };

  /** GET returns localization maps only with `?with_localizations=true`. */
  const present = (command: APIApplicationCommand, query: URLSearchParams): APIApplicationCommand => {
    const copy = structuredClone(command) as unknown as Json;
    if (query.get('with_localizations') !== 'true') {
      delete copy.name_localizations;
      delete copy.description_localizations;
      const strip = (options: unknown) => {
        if (!Array.isArray(options)) return;
        for (const option of options) {
          if (!isObject(option)) continue;
          delete option.name_localizations;
          delete option.description_localizations;
          strip(option.options);
        }
      };
      strip(copy.options);
    }
    return copy as unknown as APIApplicationCommand;
  };

  const commandRoutes = (base: string, guildOf: (ctx: RouteContext) => string | undefined) => {
    const list = (c: RouteContext) => {
      requireApp(c.params.application_id);
      const guildId = guildOf(c);
      if (guildId) state.guild(guildId);
      return { key: scopeKey(guildId), guildId, commands: state.commands.get(scopeKey(guildId)) ?? [] };
    };
    const find = (c: RouteContext) => {
      const { key, guildId, commands } = list(c);
      const index = commands.findIndex((command) => command.id === c.params.command_id);
      if (index < 0) throw notFound(RESTJSONErrorCodes.UnknownApplicationCommand, 'application command');
      return { key, guildId, commands, index };
    };
    router.add({ method: 'GET', pattern: base, auth: 'bot', handler: (c) => ok(list(c).commands.map((command) => present(command, c.query))) });
    router.add({
      method: 'PUT',
      pattern: base,
      auth: 'bot',
      handler: (c) => {
        const { key, guildId, commands } = list(c);
        const bodies = checkCommandList(c.body);
        const next = bodies.map((body) => {
          const type = (body.type as number | undefined) ?? 1;
          const previous = commands.find((command) => command.name === body.name && (command.type ?? 1) === type);
          return materialize(body, guildId, previous);
        });
        state.commands.set(key, next);
        return ok(next);
      },
    });
    router.add({
      method: 'POST',
      pattern: base,
      auth: 'bot',
      handler: (c) => {
        const { key, guildId, commands } = list(c);
        const body = checkCommand(c.body);
        const type = (body.type as number | undefined) ?? 1;
        const index = commands.findIndex((command) => command.name === body.name && (command.type ?? 1) === type);
        const command = materialize(body, guildId, commands[index]);
        // POST with an existing name overwrites that command and answers 200 instead of 201.
        if (index >= 0) {
          commands[index] = command;
          return ok(command);
        }
        state.commands.set(key, [...commands, command]);
        return created(command);
      },
    });
    router.add({ method: 'GET', pattern: `${base}/:command_id`, auth: 'bot', handler: (c) => {
      const { commands, index } = find(c);
      return ok(present(commands[index]!, c.query));
    } });
    router.add({
      method: 'PATCH',
      pattern: `${base}/:command_id`,
      auth: 'bot',
      handler: (c) => {
        const { guildId, commands, index } = find(c);
        const current = commands[index]!;
        const merged = { ...(structuredClone(current) as unknown as Json), ...(isObject(c.body) ? c.body : {}) };
        checkCommand(merged);
        commands[index] = materialize(merged, guildId, current);
        return ok(commands[index]);
      },
    });
    router.add({
      method: 'DELETE',
      pattern: `${base}/:command_id`,
      auth: 'bot',
      handler: (c) => {
        const { commands, index } = find(c);
        commands.splice(index, 1);
        return noContent();
      },
    });
  };
  commandRoutes('/applications/:application_id/commands', () => undefined);
  commandRoutes('/applications/:application_id/guilds/:guild_id/commands', (c) => c.params.guild_id);

  // ---- guilds ----------------------------------------------------------------------------------

  router.add({
    method: 'GET',
    pattern: '/guilds/:guild_id',
    auth: 'bot',
    handler: ({ params, query }) => {
      const guild = state.guild(params.guild_id!);
      const body: Json = state.apiGuild(guild) as unknown as Json;
      if (query.get('with_counts') === 'true') {
        body.approximate_member_count = guild.members.size;
        body.approximate_presence_count = 0;
      }
      return ok(body);
    },
  });
  router.add({
    method: 'GET',
    pattern: '/guilds/:guild_id/channels',
    auth: 'bot',
    handler: ({ params }) => ok([...state.guild(params.guild_id!).channels.values()].map((channel) => state.apiChannel(channel))),
  });
  router.add({
    method: 'GET',
    pattern: '/guilds/:guild_id/roles',
    auth: 'bot',
    handler: ({ params }) => ok([...state.guild(params.guild_id!).roles.values()].map((role) => state.apiRole(role))),
  });
  router.add({
    method: 'GET',
    pattern: '/guilds/:guild_id/members/:user_id',
    auth: 'bot',
    handler: ({ params }) => {
      const guild = state.guild(params.guild_id!);
      const member = guild.members.get(params.user_id!);
      if (!member) throw notFound(RESTJSONErrorCodes.UnknownMember, 'Member');
      return ok(state.apiMember(guild, member));
    },
  });
  router.add({
    method: 'GET',
    pattern: '/guilds/:guild_id/members',
    auth: 'bot',
    handler: ({ params, query }) => {
      const guild = state.guild(params.guild_id!);
      const limit = Number(query.get('limit') ?? 1);
      const after = BigInt(query.get('after') ?? '0');
      const list = [...guild.members.values()]
        .filter((m) => BigInt(m.userId) > after)
        .sort((a, b) => (BigInt(a.userId) < BigInt(b.userId) ? -1 : 1))
        .slice(0, Math.min(Math.max(limit, 1), 1000));
      return ok(list.map((m) => state.apiMember(guild, m)));
    },
  });

  // ---- channels and messages ----------------------------------------------------------------------

  router.add({ method: 'GET', pattern: '/channels/:channel_id', auth: 'bot', handler: ({ params }) => ok(state.apiChannel(visibleChannel(params.channel_id!).channel)) });
  router.add({
    method: 'PATCH',
    pattern: '/channels/:channel_id',
    auth: 'bot',
    handler: ({ params, body }) => {
      const { channel, permissions } = visibleChannel(params.channel_id!);
      requirePermission(permissions, P.ManageChannels);
      const patch = isObject(body) ? body : {};
      const problems: FieldProblem[] = [];
      if ('name' in patch && (typeof patch.name !== 'string' || patch.name.length < 1 || patch.name.length > 100)) {
        problems.push({ path: ['name'], code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 in length.' });
      }
      if ('topic' in patch && patch.topic !== null && (typeof patch.topic !== 'string' || patch.topic.length > 1024)) {
        problems.push({ path: ['topic'], code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 1024 or fewer in length.' });
      }
      if (problems.length) throw invalidFormBody(problems);
      if (typeof patch.name === 'string') channel.name = patch.name;
      if ('topic' in patch) channel.topic = (patch.topic as string | null) ?? null;
      if (typeof patch.nsfw === 'boolean') channel.nsfw = patch.nsfw;
      if (typeof patch.rate_limit_per_user === 'number') channel.rateLimitPerUser = patch.rate_limit_per_user;
      if (typeof patch.position === 'number') channel.position = patch.position;
      const api = state.apiChannel(channel);
      gateway.dispatch(GatewayDispatchEvents.ChannelUpdate, (s) => (s.has(GatewayIntentBits.Guilds) ? api : undefined), channel.guildId);
      return ok(api);
    },
  });
  router.add({
    method: 'GET',
    pattern: '/channels/:channel_id/messages',
    auth: 'bot',
    handler: ({ params, query }) => {
      const { permissions } = visibleChannel(params.channel_id!);
      if ((permissions & P.ReadMessageHistory) === 0n) return ok([]);
      const number = (name: string) => (query.has(name) ? Number(query.get(name)) : undefined);
      return ok(
        state.pageMessages(params.channel_id!, {
          limit: number('limit'),
          before: query.get('before') ?? undefined,
          after: query.get('after') ?? undefined,
          around: query.get('around') ?? undefined,
        }),
      );
    },
  });
  router.add({
    method: 'GET',
    pattern: '/channels/:channel_id/messages/:message_id',
    auth: 'bot',
    handler: ({ params }) => {
      const { permissions } = visibleChannel(params.channel_id!);
      requirePermission(permissions, P.ReadMessageHistory);
      return ok(state.channelMessage(params.channel_id!, params.message_id!).message);
    },
  });
  router.add({
    method: 'POST',
    pattern: '/channels/:channel_id/messages',
    auth: 'bot',
    handler: ({ params, body, files }) => {
      const { permissions } = visibleChannel(params.channel_id!);
      requirePermission(permissions, P.SendMessages);
      if (files.length) requirePermission(permissions, P.AttachFiles);
      const json = checkMessageBody(body, { files: files.length, create: true });
      // enforce_nonce: the same author and nonce within the window gets the first message back
      // (200, as for a new one), and nothing is created or dispatched.
      if (json.enforce_nonce === true) {
        const earlier = messages.byNonce(botUser.id, json.nonce);
        if (earlier) return ok(structuredClone(earlier.message));
      }
      return ok(messages.create({ channelId: params.channel_id!, author: botUser, body: json, files }).record.message);
    },
  });
  router.add({
    method: 'PATCH',
    pattern: '/channels/:channel_id/messages/:message_id',
    auth: 'bot',
    handler: ({ params, body, files }) => {
      visibleChannel(params.channel_id!);
      const record = state.channelMessage(params.channel_id!, params.message_id!);
      if (record.message.author.id !== botUser.id || record.message.webhook_id) {
        throw new DiscordApiError(403, RESTJSONErrorCodes.CannotEditMessageAuthoredByAnotherUser, 'Cannot edit a message authored by another user');
      }
      const json = checkMessageBody(isObject(body) ? body : {}, { edit: true, files: files.length, existing: record.message as unknown as Json });
      return ok(messages.edit(record, json, files));
    },
  });
  router.add({
    method: 'DELETE',
    pattern: '/channels/:channel_id/messages/:message_id',
    auth: 'bot',
    handler: ({ params }) => {
      const { permissions } = visibleChannel(params.channel_id!);
      const record = state.channelMessage(params.channel_id!, params.message_id!);
      if (record.message.author.id !== botUser.id) requirePermission(permissions, P.ManageMessages);
      messages.delete(record);
      return noContent();
    },
  });
  router.add({
    method: 'POST',
    pattern: '/channels/:channel_id/typing',
    auth: 'bot',
    handler: ({ params }) => {
      const { permissions } = visibleChannel(params.channel_id!);
      requirePermission(permissions, P.SendMessages);
      return noContent();
    },
  });

  // ---- interaction callbacks and webhooks (the interaction token is the credential) ---------------

  const flag = (query: URLSearchParams, name: string) => query.get(name) === 'true';
  router.add({
    method: 'POST',
    pattern: '/interactions/:interaction_id/:interaction_token/callback',
    auth: 'none',
    handler: ({ params, body, files, query }) => interactions.callback(params.interaction_id!, params.interaction_token!, body, files, flag(query, 'with_response')),
  });
  router.add({
    method: 'POST',
    pattern: '/webhooks/:webhook_id/:webhook_token',
    auth: 'none',
    handler: ({ params, body, files, query }) => interactions.followUp(params.webhook_id!, params.webhook_token!, body, files, flag(query, 'wait')),
  });
  router.add({
    method: 'GET',
    pattern: '/webhooks/:webhook_id/:webhook_token/messages/:message_id',
    auth: 'none',
    handler: ({ params }) => ok(interactions.getMessage(params.webhook_id!, params.webhook_token!, params.message_id!)),
  });
  router.add({
    method: 'PATCH',
    pattern: '/webhooks/:webhook_id/:webhook_token/messages/:message_id',
    auth: 'none',
    handler: ({ params, body, files }) => ok(interactions.editMessage(params.webhook_id!, params.webhook_token!, params.message_id!, body, files)),
  });
  router.add({
    method: 'DELETE',
    pattern: '/webhooks/:webhook_id/:webhook_token/messages/:message_id',
    auth: 'none',
    handler: ({ params }) => {
      interactions.deleteMessage(params.webhook_id!, params.webhook_token!, params.message_id!);
      return noContent();
    },
  });
}

