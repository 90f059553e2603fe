import { describe, expect, it } from 'vitest';
import { schema } from '../../src/graphql/schema';

/** Root fields anyone may call: their arguments are the capability (see the contract README), or they answer a constant (the font allow-list). */
const PUBLIC_ROOT_FIELDS = ['Mutation.completeTwitchLink', 'Query.overlayFonts', 'Query.round'];

describe('every root field declares who may call it', () => {
  it('Query, Mutation and Subscription fields all have authScopes, except the public ones named here', () => {
    const undeclared: string[] = [];
    for (const type of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
      for (const field of Object.values(type?.getFields() ?? {})) {
        const options = (field.extensions as { pothosOptions?: { authScopes?: unknown } }).pothosOptions;
        if (options?.authScopes === undefined) undeclared.push(`${type!.name}.${field.name}`);
      }
    }
    expect(undeclared.sort()).toEqual(PUBLIC_ROOT_FIELDS);
  });
});
