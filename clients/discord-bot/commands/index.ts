import type {
  AutocompleteInteraction,
  ButtonInteraction,
  ChatInputCommandInteraction,
  ModalSubmitInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import { z } from 'zod';
import type { Announcements } from '../announcer/announcer';
import type { ApiClient } from '../graphql/api-client';
import type { Logger } from '../logger';

/** What every handler gets besides the interaction. */
export interface BotContext {
  api: ApiClient;
  logger: Logger;
  /** Tells the announcer about a streamer the bot just met (registered, or found on a command). */
  announcements: Pick<Announcements, 'track'>;
}

/**
 * One slash command, one file in this folder: `export default { data, execute } satisfies Command`.
 *
 * Component custom ids are `<command>:<subcommand>[:<args>]`, so the dispatcher routes modal
 * submits and buttons to the command that made them, with the subcommand's permission rule.
 */
export interface Command {
  /** The JSON Discord registers (built with SlashCommandBuilder, localized). */
  data: RESTPostAPIChatInputApplicationCommandsJSONBody;
  /**
   * Who may run it: `true` when the whole command needs Manage Server, else the subcommands
   * that do (`[]`: everyone). Checked at run time whatever `default_member_permissions` says.
   */
  manageGuild: true | readonly string[];
  execute(interaction: ChatInputCommandInteraction, context: BotContext): Promise<void>;
  autocomplete?(interaction: AutocompleteInteraction, context: BotContext): Promise<void>;
  modalSubmit?(interaction: ModalSubmitInteraction, context: BotContext): Promise<void>;
  button?(interaction: ButtonInteraction, context: BotContext): Promise<void>;
}

const optionalHandler = z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', 'must be a function').optional();

/** The shape a command module's default export must have. */
export const commandSchema = z.object({
  data: z.looseObject({
    name: z.string().regex(/^[-_\p{L}\p{N}]{1,32}$/u),
    description: z.string().min(1).max(100),
  }),
  manageGuild: z.union([z.literal(true), z.array(z.string())]),
  execute: z.custom<Command['execute']>((value) => typeof value === 'function', 'must be a function'),
  autocomplete: optionalHandler,
  modalSubmit: optionalHandler,
  button: optionalHandler,
});

/** Whether this subcommand (or component of it) needs Manage Server. */
export function needsManageGuild(command: Command, subcommand: string | null): boolean {
  if (command.manageGuild === true) return true;
  return subcommand !== null && command.manageGuild.includes(subcommand);
}

/** `items:add` → `{ command: 'items', subcommand: 'add', args: [] }`. */
export function parseCustomId(customId: string): { command: string; subcommand: string | null; args: string[] } {
  const [command = '', subcommand = null, ...args] = customId.split(':');
  return { command, subcommand, args };
}

export function customId(command: string, subcommand: string, ...args: string[]): string {
  const id = [command, subcommand, ...args].join(':');
  if (id.length > 100) throw new Error(`custom id longer than 100 characters: ${id}`);
  return id;
}
