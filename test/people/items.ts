import type { TestApp } from '../support/test-app.js';
import { asBrowser } from './support.js';

/** Adds one prize as a browser session would (the steer scope). */
export function addItemsRequest(api: TestApp, cookie: string, streamerId: string) {
  return asBrowser(
    api,
    cookie,
    `mutation($streamerId: ID!) { addItems(streamerId: $streamerId, items: [{ name: "golden skin", weight: 3, stock: 5 }]) { __typename ... on Error { message } } }`,
    { streamerId },
  );
}
