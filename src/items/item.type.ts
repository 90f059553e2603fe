import { builder } from '../graphql/builder';
import type { Item } from '../generated/prisma/client';

const watchesStreamer = (item: { streamerId: string }) => ({ watch: { streamerId: item.streamerId } });

export const ItemType = builder.prismaObject('Item', {
  description: 'A prize: weight sets its odds, stock is how many copies can be won, remaining are still unwon.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    weight: t.exposeInt('weight'),
    // A public round (Query.round) shows its prize's name and weight; stock is the streamer's.
    stock: t.exposeInt('stock', { authScopes: watchesStreamer }),
    remaining: t.exposeInt('remaining', { authScopes: watchesStreamer }),
    removed: t.boolean({ authScopes: watchesStreamer, resolve: (item) => item.removedAt !== null }),
  }),
});

export const ItemInputType = builder.inputType('ItemInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    weight: t.int({ required: true, description: 'Relative odds, a whole number from 1.' }),
    stock: t.int({ description: 'How many times the item can be won (default 1).' }),
  }),
});

export const ItemPatchType = builder.inputType('ItemPatch', {
  fields: (t) => ({
    name: t.string(),
    weight: t.int(),
    stock: t.int({ description: 'New total stock; copies already won stay won.' }),
  }),
});

export const AddItemsPayload = builder.objectRef<{ items: Item[] }>('AddItemsPayload').implement({
  fields: (t) => ({ items: t.field({ type: [ItemType], resolve: (payload) => payload.items }) }),
});
