import { ErrorFields, ItemFields } from './fragments';
import { graphql } from './graphql';

export const AddItemsFromText = graphql(
  `
  mutation AddItemsFromText($streamerId: ID!, $text: String!) {
    addItemsFromText(streamerId: $streamerId, text: $text) {
      __typename
      ... on AddItemsPayload { items { ...ItemFields } }
      ...ErrorFields
    }
  }
`,
  [ItemFields, ErrorFields],
);

export const RemoveItem = graphql(
  `
  mutation RemoveItem($id: ID!) {
    removeItem(id: $id) {
      __typename
      ... on Item { id name }
      ...ErrorFields
    }
  }
`,
  [ErrorFields],
);
