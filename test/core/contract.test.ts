import { validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/graphql/schema';
import { contractDocumentNode } from '../support/graphql';

describe('the shared contract (../shared/contract/operations.graphql)', () => {
  it('validates against the schema, so a rename that breaks a client fails the build', () => {
    const errors = validate(schema, contractDocumentNode()).map((error) => error.message);
    expect(errors).toEqual([]);
  });
});
