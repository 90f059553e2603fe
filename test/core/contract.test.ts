import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { concatAST, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/graphql/schema';
import { contractDocumentNode } from '../support/graphql';

const PEOPLE_CONTRACT = fileURLToPath(new URL('../../../shared/contract/people.graphql', import.meta.url));
const FAIRNESS_CONTRACT = fileURLToPath(new URL('../../../shared/contract/fairness.graphql', import.meta.url));
const ENTRY_CONTRACT = fileURLToPath(new URL('../../../shared/contract/entry.graphql', import.meta.url));

describe('the shared contract (../shared/contract/operations.graphql)', () => {
  it('validates against the schema, so a rename that breaks a client fails the build', () => {
    const errors = validate(schema, contractDocumentNode()).map((error) => error.message);
    expect(errors).toEqual([]);
  });

  it('people.graphql (viewer, editors, raffle stats) validates together with the operations whose fragments it uses', () => {
    const document = concatAST([contractDocumentNode(), parse(readFileSync(PEOPLE_CONTRACT, 'utf8'))]);
    const errors = validate(schema, document).map((error) => error.message);
    expect(errors).toEqual([]);
  });

  it('fairness.graphql (provable raffles, round proofs, commits) validates together with the operations', () => {
    const document = concatAST([contractDocumentNode(), parse(readFileSync(FAIRNESS_CONTRACT, 'utf8'))]);
    const errors = validate(schema, document).map((error) => error.message);
    expect(errors).toEqual([]);
  });

  it('entry.graphql (entry options, rerolls, claims, tickets) validates together with the operations', () => {
    const document = concatAST([contractDocumentNode(), parse(readFileSync(ENTRY_CONTRACT, 'utf8'))]);
    const errors = validate(schema, document).map((error) => error.message);
    expect(errors).toEqual([]);
  });
});
