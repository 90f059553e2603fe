import { PermissionFlagsBits, OverwriteType, type APIOverwrite, type APIRole } from 'discord-api-types/v10';

export const ALL_PERMISSIONS = Object.values(PermissionFlagsBits).reduce((all, bit) => all | bit, 0n);

const P = PermissionFlagsBits;

/** What @everyone gets in a freshly created guild (close to what the Discord client sets up). */
export const DEFAULT_EVERYONE_PERMISSIONS =
  P.CreateInstantInvite |
  P.ChangeNickname |
  P.ViewChannel |
  P.SendMessages |
  P.SendMessagesInThreads |
  P.CreatePublicThreads |
  P.CreatePrivateThreads |
  P.EmbedLinks |
  P.AttachFiles |
  P.AddReactions |
  P.UseExternalEmojis |
  P.UseExternalStickers |
  P.ReadMessageHistory |
  P.UseApplicationCommands |
  P.Connect |
  P.Speak |
  P.Stream |
  P.UseVAD |
  P.UseEmbeddedActivities |
  P.SendVoiceMessages |
  P.SendPolls |
  P.UseExternalApps;

/** What a typical bot invite link grants the bot's managed role. */
export const DEFAULT_BOT_PERMISSIONS =
  P.ViewChannel |
  P.SendMessages |
  P.SendMessagesInThreads |
  P.EmbedLinks |
  P.AttachFiles |
  P.ReadMessageHistory |
  P.AddReactions |
  P.UseExternalEmojis;

export function toPermissionBits(value: bigint | string | number): bigint {
  return typeof value === 'bigint' ? value : BigInt(value);
}

/**
 * Computes a member's permissions the way the Discord docs describe ("Permission Overwrites"):
 * base = @everyone | member roles (owner and Administrator get everything), then the channel's
 * @everyone overwrite, the union of the member's role overwrites, and the member overwrite.
 */
export function computePermissions(input: {
  guildId: string;
  ownerId: string;
  userId: string;
  memberRoleIds: readonly string[];
  roles: ReadonlyMap<string, APIRole>;
  overwrites?: readonly APIOverwrite[];
}): bigint {
  if (input.userId === input.ownerId) return ALL_PERMISSIONS;
  const everyone = input.roles.get(input.guildId);
  let base = everyone ? BigInt(everyone.permissions) : 0n;
  for (const roleId of input.memberRoleIds) {
    const role = input.roles.get(roleId);
    if (role) base |= BigInt(role.permissions);
  }
  if ((base & P.Administrator) === P.Administrator) return ALL_PERMISSIONS;
  if (!input.overwrites?.length) return base;

  let permissions = base;
  const everyoneOverwrite = input.overwrites.find((o) => o.id === input.guildId);
  if (everyoneOverwrite) {
    permissions &= ~BigInt(everyoneOverwrite.deny);
    permissions |= BigInt(everyoneOverwrite.allow);
  }
  let allow = 0n;
  let deny = 0n;
  for (const overwrite of input.overwrites) {
    if (overwrite.type === OverwriteType.Role && input.memberRoleIds.includes(overwrite.id)) {
      allow |= BigInt(overwrite.allow);
      deny |= BigInt(overwrite.deny);
    }
  }
  permissions &= ~deny;
  permissions |= allow;
  const memberOverwrite = input.overwrites.find((o) => o.type === OverwriteType.Member && o.id === input.userId);
  if (memberOverwrite) {
    permissions &= ~BigInt(memberOverwrite.deny);
    permissions |= BigInt(memberOverwrite.allow);
  }
  return permissions;
}
