import { itemArg, may, streamerArg } from '../graphql/authorize';
import { builder } from '../graphql/builder';
import { commonErrors } from '../graphql/error-types';
import { refetch } from '../graphql/refetch';
import { AddItemsPayload, ItemInputType, ItemPatchType } from './item.type';

builder.mutationFields((t) => ({
  addItems: t.field({
    type: AddItemsPayload,
    description: 'Adds prizes; all or nothing, with a problem per bad entry.',
    args: {
      streamerId: t.arg.id({ required: true }),
      items: t.arg({ type: [ItemInputType], required: true }),
    },
    authScopes: may.steer(streamerArg('streamerId')),
    errors: { types: [...commonErrors] },
    resolve: async (_root, args, context) => ({
      items: await context.services.items.addItems(String(args.streamerId), args.items),
    }),
  }),
  addItemsFromText: t.field({
    type: AddItemsPayload,
    description: 'Adds prizes typed as "name:weight" or "name:weight:stock", separated by commas.',
    args: { streamerId: t.arg.id({ required: true }), text: t.arg.string({ required: true }) },
    authScopes: may.steer(streamerArg('streamerId')),
    errors: { types: [...commonErrors] },
    resolve: async (_root, args, context) => ({
      items: await context.services.items.addItemsFromText(String(args.streamerId), args.text),
    }),
  }),
  updateItem: t.prismaField({
    type: 'Item',
    args: { id: t.arg.id({ required: true }), patch: t.arg({ type: ItemPatchType, required: true }) },
    authScopes: may.steer(itemArg('id')),
    errors: { types: [...commonErrors] },
    resolve: async (query, _root, args, context) => {
      const item = await context.services.items.updateItem(String(args.id), args.patch);
      return refetch.item(context, query, item.id);
    },
  }),
  removeItem: t.prismaField({
    type: 'Item',
    description: 'Takes a prize out of the draw; rounds it was won in keep it.',
    args: { id: t.arg.id({ required: true }) },
    authScopes: may.steer(itemArg('id')),
    errors: { types: [...commonErrors] },
    resolve: async (query, _root, args, context) => {
      const item = await context.services.items.removeItem(String(args.id));
      return refetch.item(context, query, item.id);
    },
  }),
}));
