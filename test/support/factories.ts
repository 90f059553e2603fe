import { contractOperation, execute } from './graphql';

let guildCounter = 0;

export function newGuildId(): string {
  guildCounter += 1;
  return `${Date.now()}${String(guildCounter).padStart(4, '0')}`;
}

export async function createStreamer(baseUrl: string, guildId = newGuildId()) {
  const data = await execute(baseUrl, `mutation($guildId: String!) { registerGuild(guildId: $guildId) { __typename ... on Streamer { id guildId overlayUrl } } }`, { guildId });
  return data.registerGuild as { id: string; guildId: string; overlayUrl: string };
}

export async function addItems(baseUrl: string, streamerId: string, items: Array<{ name: string; weight: number; stock?: number }>) {
  const data = await execute(baseUrl, contractOperation('AddItems'), { streamerId, items });
  if (data.addItems.__typename !== 'AddItemsPayload') throw new Error(`addItems failed: ${JSON.stringify(data.addItems)}`);
  return data.addItems.items as Array<{ id: string; name: string; weight: number; stock: number; remaining: number }>;
}

export async function startRaffle(baseUrl: string, input: { streamerId: string; intervalSeconds: number; drawChance?: number }) {
  const data = await execute(baseUrl, contractOperation('StartRaffle'), { input });
  if (data.startRaffle.__typename !== 'Raffle') throw new Error(`startRaffle failed: ${JSON.stringify(data.startRaffle)}`);
  return data.startRaffle as { id: string; status: string };
}
