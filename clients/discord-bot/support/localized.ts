import { Locale, type SharedNameAndDescription } from 'discord.js';
import { localizations, type Messages } from '../i18n';

/**
 * Names a command, subcommand or option in English and pt-BR and describes it from both
 * catalogs, so each is declared in one line:
 *
 *   .addSubcommand((sub) => localized(sub, 'remove', 'remover', (m) => m.commands.items.remove))
 *
 * sets `name`, `name_localizations['pt-BR']`, `description` (English) and
 * `description_localizations['pt-BR']`; anything else (options, required, limits) is chained on.
 */
export function localized<B extends SharedNameAndDescription>(builder: B, name: string, ptBRName: string, describe: (messages: Messages) => string): B {
  const description = localizations(describe);
  return builder
    .setName(name)
    .setNameLocalizations({ [Locale.PortugueseBR]: ptBRName })
    .setDescription(description.en)
    .setDescriptionLocalizations({ [Locale.PortugueseBR]: description['pt-BR'] });
}
