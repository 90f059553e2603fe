import { PermissionFlagsBits, type Interaction, type RepliableInteraction } from 'discord.js';
import { needsManageGuild, parseCustomId, type BotContext, type Command } from '../commands/index';
import { ApiRequestError, ApiUnavailableError } from '../graphql/api-client';
import { messagesFor } from '../i18n';
import { respondEphemeralError } from '../support/replies';

/**
 * The one `interactionCreate` handler: slash commands, autocomplete, modal submits and buttons
 * go to their command; Manage Server is checked here for the subcommands that need it; any
 * failure becomes an ephemeral message in the user's language, and never reaches the process.
 */
export function createInteractionHandler(commands: ReadonlyMap<string, Command>, context: BotContext) {
  return async function onInteraction(interaction: Interaction): Promise<void> {
    const started = Date.now();
    const route = routeOf(interaction);
    if (!route) return;
    const command = commands.get(route.command);
    const log = context.logger.child({ interaction: interaction.id, route: `${route.kind}:${route.command}:${route.subcommand ?? ''}` });
    if (!command) {
      log.warn('no such command');
      if (interaction.isRepliable()) await safely(log, () => respondEphemeralError(interaction, messagesFor(interaction.locale).errors.unexpected));
      return;
    }
    try {
      if (interaction.isAutocomplete()) {
        await command.autocomplete?.(interaction, context);
        return;
      }
      if (!interaction.isRepliable()) return;
      if (needsManageGuild(command, route.subcommand) && !interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
        log.info('denied: Manage Server required');
        await respondEphemeralError(interaction, messagesFor(interaction.locale).errors.forbidden);
        return;
      }
      if (interaction.isChatInputCommand()) await command.execute(interaction, context);
      else if (interaction.isModalSubmit()) await command.modalSubmit?.(interaction, context);
      else if (interaction.isButton()) await command.button?.(interaction, context);
      log.debug({ ms: Date.now() - started }, 'handled');
    } catch (error) {
      const level = error instanceof ApiUnavailableError ? 'warn' : 'error';
      log[level]({ err: error, ms: Date.now() - started }, 'interaction failed');
      if (interaction.isAutocomplete()) {
        if (!interaction.responded) await safely(log, () => interaction.respond([]));
      } else if (interaction.isRepliable()) {
        await safely(log, () => respondEphemeralError(interaction as RepliableInteraction, errorText(interaction.locale, error)));
      }
    }
  };
}

export function errorText(locale: string | null | undefined, error: unknown): string {
  const messages = messagesFor(locale);
  if (error instanceof ApiUnavailableError) return messages.errors.apiDown;
  if (error instanceof ApiRequestError) return messages.errors.apiError;
  return messages.errors.unexpected;
}

interface Route {
  kind: 'command' | 'autocomplete' | 'modal' | 'button';
  command: string;
  subcommand: string | null;
}

function routeOf(interaction: Interaction): Route | null {
  if (interaction.isChatInputCommand() || interaction.isAutocomplete()) {
    return {
      kind: interaction.isAutocomplete() ? 'autocomplete' : 'command',
      command: interaction.commandName,
      subcommand: interaction.options.getSubcommand(false),
    };
  }
  if (interaction.isModalSubmit() || interaction.isButton()) {
    const { command, subcommand } = parseCustomId(interaction.customId);
    return { kind: interaction.isModalSubmit() ? 'modal' : 'button', command, subcommand };
  }
  return null;
}

async function safely(log: BotContext['logger'], action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
  } catch (error) {
    log.warn({ err: error }, 'could not send the error reply');
  }
}
