import { graphql } from '../../graphql/graphql';

export const ItemFields = graphql(`
  fragment DashboardItemFields on Item { id name weight stock remaining }
`);

export const ItemsQuery = graphql(
  `
  query DashboardItems($streamerId: ID!) {
    streamer(id: $streamerId) { id items { ...DashboardItemFields } }
  }
`,
  [ItemFields],
);

export const AddItems = graphql(
  `
  mutation DashboardAddItems($streamerId: ID!, $items: [ItemInput!]!) {
    addItems(streamerId: $streamerId, items: $items) {
      __typename
      ... on AddItemsPayload { items { ...DashboardItemFields } }
      ... on ValidationError { problems { path message } }
      ... on Error { message }
    }
  }
`,
  [ItemFields],
);

export const UpdateItem = graphql(
  `
  mutation DashboardUpdateItem($id: ID!, $patch: ItemPatch!) {
    updateItem(id: $id, patch: $patch) {
      __typename
      ... on Item { ...DashboardItemFields }
      ... on ValidationError { problems { path message } }
      ... on Error { message }
    }
  }
`,
  [ItemFields],
);

export const RemoveItem = graphql(
  `
  mutation DashboardRemoveItem($id: ID!) {
    removeItem(id: $id) {
      __typename
      ... on Item { ...DashboardItemFields removed }
      ... on Error { message }
    }
  }
`,
  [ItemFields],
);
