/**
 * The body checks Discord applies and that bots most often trip over: empty messages, lengths
 * of content and embeds, component shapes, modal shapes, autocomplete choices and command
 * definitions. Failures come back as Discord's 400 / 50035 "Invalid Form Body" error tree.
 */
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ButtonStyle,
  ComponentType,
  Locale,
  MessageFlags,
  RESTJSONErrorCodes,
} from 'discord-api-types/v10';
import { DiscordApiError, invalidFormBody, type FieldProblem } from './errors.js';

type Json = Record<string, unknown>;
type Path = (string | number)[];

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

class Problems {
  readonly list: FieldProblem[] = [];

  add(path: Path, code: string, message: string): void {
    this.list.push({ path, code, message });
  }

  required(path: Path): void {
    this.add(path, 'BASE_TYPE_REQUIRED', 'This field is required');
  }

  maxLength(path: Path, value: unknown, max: number): void {
    if (typeof value === 'string' && value.length > max) {
      this.add(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
    }
  }

  length(path: Path, value: unknown, min: number, max: number): void {
    if (typeof value !== 'string') {
      this.required(path);
    } else if (value.length < min || value.length > max) {
      this.add(path, 'BASE_TYPE_BAD_LENGTH', `Must be between ${min} and ${max} in length.`);
    }
  }

  string(path: Path, value: unknown): value is string {
    if (value === undefined || value === null || typeof value === 'string') return true;
    this.add(path, 'STRING_TYPE_CONVERT', 'Could not interpret value as string.');
    return false;
  }

  maxItems(path: Path, value: unknown, max: number): void {
    if (Array.isArray(value) && value.length > max) {
      this.add(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
    }
  }

  throwIfAny(): void {
    if (this.list.length) throw invalidFormBody(this.list);
  }
}

// ---- messages ------------------------------------------------------------------------------

const CREATE_FLAGS = MessageFlags.SuppressEmbeds | MessageFlags.SuppressNotifications | MessageFlags.IsComponentsV2;
const INTERACTION_FLAGS = CREATE_FLAGS | MessageFlags.Ephemeral;

function embedLength(embed: Json): number {
  const text = (value: unknown) => (typeof value === 'string' ? value.length : 0);
  let total = text(embed.title) + text(embed.description);
  if (isObject(embed.footer)) total += text(embed.footer.text);
  if (isObject(embed.author)) total += text(embed.author.name);
  if (Array.isArray(embed.fields)) {
    for (const field of embed.fields) if (isObject(field)) total += text(field.name) + text(field.value);
  }
  return total;
}

function checkEmbeds(problems: Problems, embeds: unknown): void {
  if (embeds === undefined || embeds === null) return;
  if (!Array.isArray(embeds)) {
    problems.add(['embeds'], 'LIST_TYPE_CONVERT', 'Only iterables may be used in a ListType');
    return;
  }
  problems.maxItems(['embeds'], embeds, 10);
  let total = 0;
  embeds.forEach((embed, i) => {
    if (!isObject(embed)) {
      problems.add(['embeds', i], 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType');
      return;
    }
    problems.maxLength(['embeds', i, 'title'], embed.title, 256);
    problems.maxLength(['embeds', i, 'description'], embed.description, 4096);
    if (isObject(embed.footer)) problems.maxLength(['embeds', i, 'footer', 'text'], embed.footer.text, 2048);
    if (isObject(embed.author)) problems.maxLength(['embeds', i, 'author', 'name'], embed.author.name, 256);
    if (embed.color !== undefined && embed.color !== null && (typeof embed.color !== 'number' || embed.color < 0 || embed.color > 0xffffff)) {
      problems.add(['embeds', i, 'color'], 'NUMBER_TYPE_MAX', 'int value should be less than or equal to 16777215.');
    }
    if (Array.isArray(embed.fields)) {
      problems.maxItems(['embeds', i, 'fields'], embed.fields, 25);
      embed.fields.forEach((field, j) => {
        if (!isObject(field)) return;
        if (typeof field.name !== 'string' || field.name.length === 0) problems.required(['embeds', i, 'fields', j, 'name']);
        else problems.maxLength(['embeds', i, 'fields', j, 'name'], field.name, 256);
        if (typeof field.value !== 'string' || field.value.length === 0) problems.required(['embeds', i, 'fields', j, 'value']);
        else problems.maxLength(['embeds', i, 'fields', j, 'value'], field.value, 1024);
      });
    }
    total += embedLength(embed);
  });
  if (total > 6000) problems.add(['embeds'], 'MAX_EMBED_SIZE_EXCEEDED', 'Embed size exceeds maximum size of 6000');
}

function checkButton(problems: Problems, path: Path, button: Json, customIds: Set<string>): void {
  const style = button.style;
  if (typeof style !== 'number' || style < ButtonStyle.Primary || style > ButtonStyle.Premium) {
    problems.add([...path, 'style'], 'BASE_TYPE_CHOICES', 'Value must be one of {1, 2, 3, 4, 5, 6}.');
    return;
  }
  problems.maxLength([...path, 'label'], button.label, 80);
  if (style === ButtonStyle.Link) {
    if (typeof button.url !== 'string') problems.required([...path, 'url']);
    if (button.custom_id !== undefined) problems.add([...path, 'custom_id'], 'COMPONENT_LINK_BUTTON_CUSTOM_ID', 'Link buttons cannot have a custom_id');
  } else if (style !== ButtonStyle.Premium) {
    checkCustomId(problems, path, button.custom_id, customIds);
  }
}

function checkCustomId(problems: Problems, path: Path, customId: unknown, customIds: Set<string>): void {
  problems.length([...path, 'custom_id'], customId, 1, 100);
  if (typeof customId === 'string') {
    if (customIds.has(customId)) problems.add([...path, 'custom_id'], 'COMPONENT_CUSTOM_ID_DUPLICATED', 'Component custom id cannot be duplicated');
    customIds.add(customId);
  }
}

const SELECTS: ReadonlySet<number> = new Set([
  ComponentType.StringSelect,
  ComponentType.UserSelect,
  ComponentType.RoleSelect,
  ComponentType.MentionableSelect,
  ComponentType.ChannelSelect,
]);

function checkMessageComponents(problems: Problems, components: unknown, componentsV2: boolean): void {
  if (components === undefined || components === null) return;
  if (!Array.isArray(components)) {
    problems.add(['components'], 'LIST_TYPE_CONVERT', 'Only iterables may be used in a ListType');
    return;
  }
  if (!componentsV2) problems.maxItems(['components'], components, 5);
  const customIds = new Set<string>();
  components.forEach((row, i) => {
    if (!isObject(row)) return;
    if (!componentsV2 && row.type !== ComponentType.ActionRow) {
      problems.add(['components', i, 'type'], 'UNION_TYPE_CHOICES', 'Value of field "type" must be one of (1,).');
      return;
    }
    if (row.type !== ComponentType.ActionRow) return; // components v2 layouts are accepted as given
    const children = Array.isArray(row.components) ? row.components : [];
    if (children.length === 0) problems.add(['components', i, 'components'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 5 in length.');
    problems.maxItems(['components', i, 'components'], children, 5);
    const selects = children.filter((c) => isObject(c) && SELECTS.has(c.type as number)).length;
    if (selects > 0 && children.length > 1) {
      problems.add(['components', i, 'components'], 'COMPONENT_LAYOUT_WIDTH_EXCEEDED', 'The specified component exceeds the maximum width');
    }
    children.forEach((child, j) => {
      if (!isObject(child)) return;
      const path: Path = ['components', i, 'components', j];
      if (child.type === ComponentType.Button) checkButton(problems, path, child, customIds);
      else if (SELECTS.has(child.type as number)) {
        checkCustomId(problems, path, child.custom_id, customIds);
        if (child.type === ComponentType.StringSelect) {
          const options = Array.isArray(child.options) ? child.options : [];
          if (options.length < 1 || options.length > 25) problems.add([...path, 'options'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 25 in length.');
        }
      } else {
        problems.add([...path, 'type'], 'UNION_TYPE_CHOICES', 'Value of field "type" must be one of (2, 3, 5, 6, 7, 8).');
      }
    });
  });
}

function hasContent(body: Json, files: number): boolean {
  const nonEmptyList = (value: unknown) => Array.isArray(value) && value.length > 0;
  return (
    (typeof body.content === 'string' && body.content.length > 0) ||
    nonEmptyList(body.embeds) ||
    nonEmptyList(body.components) ||
    nonEmptyList(body.sticker_ids) ||
    nonEmptyList(body.attachments) ||
    files > 0 ||
    isObject(body.poll)
  );
}

/** Create Message: `nonce` is an integer or a string of at most 25 characters. */
export const NONCE_MAX_LENGTH = 25;

/**
 * Create Message's `nonce` (integer or string, up to 25 characters; null is "none") and
 * `enforce_nonce` (boolean). The error codes and texts are the ones Discord answers with
 * (NONCE_TYPE_INVALID_TYPE / NONCE_TYPE_TOO_LONG, quoted in discord-api-docs#1158).
 */
function checkNonce(problems: Problems, body: Json): void {
  const nonce = body.nonce;
  if (typeof nonce === 'string') {
    if (nonce.length > NONCE_MAX_LENGTH) problems.add(['nonce'], 'NONCE_TYPE_TOO_LONG', `Must be ${NONCE_MAX_LENGTH} or fewer characters long.`);
  } else if (nonce !== undefined && nonce !== null && !(typeof nonce === 'number' && Number.isInteger(nonce))) {
    problems.add(['nonce'], 'NONCE_TYPE_INVALID_TYPE', 'This field must be a string or integer.');
  }
  if (body.enforce_nonce !== undefined && body.enforce_nonce !== null && typeof body.enforce_nonce !== 'boolean') {
    problems.add(['enforce_nonce'], 'BASE_TYPE_BOOLEAN', 'Must be either true or false.');
  }
}

export interface MessageCheckOptions {
  /** PATCH: every field optional, `content: null` clears. */
  edit?: boolean;
  /** Create Message in a channel: `nonce` and `enforce_nonce` are checked too. */
  create?: boolean;
  /** Interaction responses and follow-ups may set the Ephemeral flag. */
  interaction?: boolean;
  files?: number;
  /** For edits: whether the message being edited keeps something to show. */
  existing?: Json;
}

export function checkMessageBody(body: unknown, options: MessageCheckOptions = {}): Json {
  if (!isObject(body)) {
    throw new DiscordApiError(400, RESTJSONErrorCodes.CannotSendAnEmptyMessage, 'Cannot send an empty message');
  }
  const problems = new Problems();
  if (problems.string(['content'], body.content)) problems.maxLength(['content'], body.content, 2000);
  const flags = typeof body.flags === 'number' ? body.flags : 0;
  const allowed = options.interaction ? INTERACTION_FLAGS : CREATE_FLAGS;
  if (!options.edit && (flags & ~allowed) !== 0) {
    problems.add(['flags'], 'MESSAGE_FLAGS_INVALID', 'Invalid flags');
  }
  const componentsV2 = (flags & MessageFlags.IsComponentsV2) !== 0 || (typeof options.existing?.flags === 'number' && (options.existing.flags & MessageFlags.IsComponentsV2) !== 0);
  if (componentsV2 && ((typeof body.content === 'string' && body.content) || (Array.isArray(body.embeds) && body.embeds.length))) {
    problems.add(['content'], 'MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2', 'The \'content\' and \'embeds\' fields cannot be used when using MessageFlags.IS_COMPONENTS_V2');
  }
  if (options.create) checkNonce(problems, body);
  checkEmbeds(problems, body.embeds);
  checkMessageComponents(problems, body.components, componentsV2);
  problems.throwIfAny();
  const merged = options.edit && options.existing ? { ...options.existing, ...body } : body;
  if (!hasContent(merged, options.files ?? 0)) {
    throw new DiscordApiError(400, RESTJSONErrorCodes.CannotSendAnEmptyMessage, 'Cannot send an empty message');
  }
  return body;
}

// ---- modals and autocomplete ---------------------------------------------------------------

export function checkModal(data: unknown): Json {
  const problems = new Problems();
  if (!isObject(data)) {
    problems.required(['data']);
    problems.throwIfAny();
    return {};
  }
  problems.length(['data', 'custom_id'], data.custom_id, 1, 100);
  problems.length(['data', 'title'], data.title, 1, 45);
  const rows = Array.isArray(data.components) ? data.components : [];
  if (rows.length < 1 || rows.length > 5) problems.add(['data', 'components'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 5 in length.');
  const customIds = new Set<string>();
  rows.forEach((row, i) => {
    const path: Path = ['data', 'components', i];
    if (!isObject(row)) return;
    if (row.type === ComponentType.ActionRow) {
      const inputs = Array.isArray(row.components) ? row.components : [];
      if (inputs.length !== 1) problems.add([...path, 'components'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 1 in length.');
      const input = inputs[0];
      if (isObject(input)) checkTextInput(problems, [...path, 'components', 0], input, customIds, true);
    } else if (row.type === ComponentType.Label) {
      problems.length([...path, 'label'], row.label, 1, 45);
      problems.maxLength([...path, 'description'], row.description, 100);
      const child = row.component;
      if (!isObject(child)) problems.required([...path, 'component']);
      else if (child.type === ComponentType.TextInput) checkTextInput(problems, [...path, 'component'], child, customIds, false);
      else if (SELECTS.has(child.type as number) || child.type === ComponentType.FileUpload) checkCustomId(problems, [...path, 'component'], child.custom_id, customIds);
      else problems.add([...path, 'component', 'type'], 'UNION_TYPE_CHOICES', 'Value of field "type" must be one of (3, 4, 5, 6, 7, 8, 19).');
    } else if (row.type !== ComponentType.TextDisplay) {
      problems.add([...path, 'type'], 'UNION_TYPE_CHOICES', 'Value of field "type" must be one of (1, 10, 18).');
    }
  });
  problems.throwIfAny();
  return data;
}

function checkTextInput(problems: Problems, path: Path, input: Json, customIds: Set<string>, labelRequired: boolean): void {
  if (input.type !== ComponentType.TextInput) {
    problems.add([...path, 'type'], 'UNION_TYPE_CHOICES', 'Value of field "type" must be one of (4,).');
    return;
  }
  checkCustomId(problems, path, input.custom_id, customIds);
  if (input.style !== 1 && input.style !== 2) problems.add([...path, 'style'], 'BASE_TYPE_CHOICES', 'Value must be one of {1, 2}.');
  if (labelRequired) problems.length([...path, 'label'], input.label, 1, 45);
  else if (input.label !== undefined) problems.add([...path, 'label'], 'COMPONENT_FIELD_NOT_ALLOWED', 'label is not allowed inside a Label component');
  problems.maxLength([...path, 'placeholder'], input.placeholder, 100);
  problems.maxLength([...path, 'value'], input.value, 4000);
  const min = input.min_length;
  const max = input.max_length;
  if (min !== undefined && (typeof min !== 'number' || min < 0 || min > 4000)) problems.add([...path, 'min_length'], 'NUMBER_TYPE_MAX', 'int value should be less than or equal to 4000.');
  if (max !== undefined && (typeof max !== 'number' || max < 1 || max > 4000)) problems.add([...path, 'max_length'], 'NUMBER_TYPE_MAX', 'int value should be less than or equal to 4000.');
}

export function checkAutocompleteResult(data: unknown): { name: string; value: string | number }[] {
  const problems = new Problems();
  const choices = isObject(data) && Array.isArray(data.choices) ? data.choices : null;
  if (!choices) {
    problems.required(['data', 'choices']);
    problems.throwIfAny();
    return [];
  }
  problems.maxItems(['data', 'choices'], choices, 25);
  choices.forEach((choice, i) => {
    if (!isObject(choice)) return;
    problems.length(['data', 'choices', i, 'name'], choice.name, 1, 100);
    if (typeof choice.value === 'string') problems.maxLength(['data', 'choices', i, 'value'], choice.value, 100);
    else if (typeof choice.value !== 'number') problems.required(['data', 'choices', i, 'value']);
  });
  problems.throwIfAny();
  return choices as { name: string; value: string | number }[];
}

// ---- application commands ------------------------------------------------------------------

const LOCALES: ReadonlySet<string> = new Set(Object.values(Locale));
const CHAT_INPUT_NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

function checkCommandName(problems: Problems, path: Path, name: unknown, chatInput: boolean): void {
  if (typeof name !== 'string') {
    problems.required(path);
    return;
  }
  if (!chatInput) {
    problems.length(path, name, 1, 32);
    return;
  }
  if (!CHAT_INPUT_NAME.test(name) || name !== name.toLowerCase()) {
    problems.add(path, 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
  }
}

function checkLocalizations(problems: Problems, path: Path, value: unknown, check: (path: Path, text: unknown) => void): void {
  if (value === undefined || value === null) return;
  if (!isObject(value)) {
    problems.add(path, 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType');
    return;
  }
  for (const [locale, text] of Object.entries(value)) {
    if (!LOCALES.has(locale)) problems.add([...path, locale], 'LOCALE_INVALID', `Invalid Form Body: "${locale}" is not a valid locale`);
    else check([...path, locale], text);
  }
}

const O = ApplicationCommandOptionType;

function checkOptions(problems: Problems, path: Path, options: unknown, depth: 0 | 1 | 2): void {
  if (options === undefined || options === null) return;
  if (!Array.isArray(options)) {
    problems.add(path, 'LIST_TYPE_CONVERT', 'Only iterables may be used in a ListType');
    return;
  }
  problems.maxItems(path, options, 25);
  const names = new Set<string>();
  let sawOptional = false;
  const kinds = new Set<'sub' | 'value'>();
  options.forEach((option, i) => {
    const at: Path = [...path, i];
    if (!isObject(option)) return;
    const type = option.type as number;
    if (typeof type !== 'number' || type < O.Subcommand || type > O.Attachment) {
      problems.add([...at, 'type'], 'BASE_TYPE_CHOICES', 'Value must be one of {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}.');
      return;
    }
    checkCommandName(problems, [...at, 'name'], option.name, true);
    checkLocalizations(problems, [...at, 'name_localizations'], option.name_localizations, (p, t) => checkCommandName(problems, p, t, true));
    problems.length([...at, 'description'], option.description, 1, 100);
    checkLocalizations(problems, [...at, 'description_localizations'], option.description_localizations, (p, t) => problems.length(p, t, 1, 100));
    if (typeof option.name === 'string') {
      if (names.has(option.name)) problems.add([...at, 'name'], 'APPLICATION_COMMAND_OPTION_NAME_ALREADY_EXISTS', 'Option name already exists');
      names.add(option.name);
    }
    const isSub = type === O.Subcommand || type === O.SubcommandGroup;
    kinds.add(isSub ? 'sub' : 'value');
    if (isSub) {
      if (type === O.SubcommandGroup && depth !== 0) problems.add([...at, 'type'], 'APPLICATION_COMMAND_OPTION_TYPE_INVALID', 'Subcommand groups can only be top level');
      if (type === O.Subcommand && depth === 2) problems.add([...at, 'type'], 'APPLICATION_COMMAND_OPTION_TYPE_INVALID', 'Subcommands cannot be nested in subcommands');
      if (type === O.SubcommandGroup && Array.isArray(option.options)) {
        option.options.forEach((child, j) => {
          if (isObject(child) && child.type !== O.Subcommand) {
            problems.add([...at, 'options', j, 'type'], 'APPLICATION_COMMAND_OPTION_TYPE_INVALID', 'Subcommand groups may only contain subcommands');
          }
        });
      }
      checkOptions(problems, [...at, 'options'], option.options, type === O.SubcommandGroup ? 1 : 2);
      return;
    }
    if (option.required === true && sawOptional) {
      problems.add([...at, 'required'], 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID', 'Required options must be placed before non-required options');
    }
    if (option.required !== true) sawOptional = true;
    const choices = option.choices;
    if (choices !== undefined) {
      if (type !== O.String && type !== O.Integer && type !== O.Number) {
        problems.add([...at, 'choices'], 'APPLICATION_COMMAND_OPTION_CHOICES_INVALID', 'Choices are only allowed for string, integer and number options');
      } else if (Array.isArray(choices)) {
        problems.maxItems([...at, 'choices'], choices, 25);
        choices.forEach((choice, j) => {
          if (!isObject(choice)) return;
          problems.length([...at, 'choices', j, 'name'], choice.name, 1, 100);
          const valueOk = type === O.String ? typeof choice.value === 'string' && choice.value.length <= 100 : typeof choice.value === 'number' && (type === O.Number || Number.isInteger(choice.value));
          if (!valueOk) problems.add([...at, 'choices', j, 'value'], 'APPLICATION_COMMAND_OPTION_CHOICE_VALUE_INVALID', 'Invalid choice value for this option type');
        });
      }
      if (option.autocomplete === true && Array.isArray(choices) && choices.length > 0) {
        problems.add([...at, 'autocomplete'], 'APPLICATION_COMMAND_AUTOCOMPLETE_INVALID', 'Autocomplete cannot be set with choices');
      }
    }
    if (option.autocomplete === true && type !== O.String && type !== O.Integer && type !== O.Number) {
      problems.add([...at, 'autocomplete'], 'APPLICATION_COMMAND_AUTOCOMPLETE_INVALID', 'Autocomplete is only allowed for string, integer and number options');
    }
    for (const key of ['min_value', 'max_value'] as const) {
      if (option[key] !== undefined && type !== O.Integer && type !== O.Number) {
        problems.add([...at, key], 'APPLICATION_COMMAND_OPTION_INVALID', `${key} is only allowed for integer and number options`);
      }
    }
    if (typeof option.min_value === 'number' && typeof option.max_value === 'number' && option.min_value > option.max_value) {
      problems.add([...at, 'min_value'], 'APPLICATION_COMMAND_OPTION_INVALID', 'min_value must be less than or equal to max_value');
    }
    for (const key of ['min_length', 'max_length'] as const) {
      if (option[key] === undefined) continue;
      if (type !== O.String) problems.add([...at, key], 'APPLICATION_COMMAND_OPTION_INVALID', `${key} is only allowed for string options`);
      else if (typeof option[key] !== 'number' || (option[key] as number) < (key === 'min_length' ? 0 : 1) || (option[key] as number) > 6000) {
        problems.add([...at, key], 'NUMBER_TYPE_MAX', 'int value should be less than or equal to 6000.');
      }
    }
    if (option.channel_types !== undefined && type !== O.Channel) {
      problems.add([...at, 'channel_types'], 'APPLICATION_COMMAND_OPTION_INVALID', 'channel_types is only allowed for channel options');
    }
  });
  if (kinds.size > 1) problems.add(path, 'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID', 'Sub-command and sub-command group option types are mutually exclusive to all other types');
}

/** One command body (POST / PATCH / an element of PUT); `path` prefixes the error keys. */
function commandProblems(problems: Problems, body: unknown, path: Path): void {
  if (!isObject(body)) {
    problems.add(path, 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType');
    return;
  }
  const type = (body.type as number | undefined) ?? ApplicationCommandType.ChatInput;
  const chatInput = type === ApplicationCommandType.ChatInput;
  if (![1, 2, 3, 4].includes(type)) problems.add([...path, 'type'], 'BASE_TYPE_CHOICES', 'Value must be one of {1, 2, 3, 4}.');
  checkCommandName(problems, [...path, 'name'], body.name, chatInput);
  checkLocalizations(problems, [...path, 'name_localizations'], body.name_localizations, (p, t) => checkCommandName(problems, p, t, chatInput));
  if (chatInput) {
    problems.length([...path, 'description'], body.description, 1, 100);
    checkLocalizations(problems, [...path, 'description_localizations'], body.description_localizations, (p, t) => problems.length(p, t, 1, 100));
    checkOptions(problems, [...path, 'options'], body.options, 0);
  } else {
    if (typeof body.description === 'string' && body.description.length > 0) {
      problems.add([...path, 'description'], 'APPLICATION_COMMAND_DESCRIPTION_INVALID', 'Context menu commands cannot have a description');
    }
    if (Array.isArray(body.options) && body.options.length) {
      problems.add([...path, 'options'], 'APPLICATION_COMMAND_OPTIONS_INVALID', 'Context menu commands cannot have options');
    }
  }
  const perms = body.default_member_permissions;
  if (perms !== undefined && perms !== null && !(typeof perms === 'string' && /^\d+$/.test(perms))) {
    problems.add([...path, 'default_member_permissions'], 'PERMISSIONS_TYPE_CONVERT', 'Invalid permissions');
  }
}

export function checkCommand(body: unknown): Json {
  const problems = new Problems();
  commandProblems(problems, body, []);
  problems.throwIfAny();
  return body as Json;
}

/** PUT bulk overwrite: per-command checks, then the name uniqueness and count limits per type. */
export function checkCommandList(body: unknown): Json[] {
  if (!Array.isArray(body)) {
    throw invalidFormBody([{ path: [], code: 'LIST_TYPE_CONVERT', message: 'Only iterables may be used in a ListType' }]);
  }
  const problems = new Problems();
  body.forEach((command, i) => commandProblems(problems, command, [i]));
  const seen = new Map<string, number>();
  const counts = new Map<number, number>();
  body.forEach((command, i) => {
    if (!isObject(command)) return;
    const type = (command.type as number | undefined) ?? 1;
    counts.set(type, (counts.get(type) ?? 0) + 1);
    const key = `${type}:${String(command.name)}`;
    if (seen.has(key)) problems.add([i, 'name'], 'APPLICATION_COMMANDS_DUPLICATE_NAME', `Application command names must be unique`);
    seen.set(key, i);
  });
  if ((counts.get(1) ?? 0) > 100) problems.add([], 'BASE_TYPE_MAX_LENGTH', 'Must be 100 or fewer chat input commands.');
  if ((counts.get(2) ?? 0) > 15 || (counts.get(3) ?? 0) > 15) problems.add([], 'BASE_TYPE_MAX_LENGTH', 'Must be 15 or fewer context menu commands of each type.');
  problems.throwIfAny();
  return body as Json[];
}

export { isObject };
export type { Json };
