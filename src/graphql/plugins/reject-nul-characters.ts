import type { Plugin } from '@envelop/core';
import { GraphQLError, Kind, visit, type DocumentNode } from 'graphql';

/**
 * PostgreSQL text cannot hold U+0000, so no argument containing it can name or store anything:
 * without this, every text or ID argument that reaches a query makes Prisma throw (a masked
 * INTERNAL_SERVER_ERROR). One check before execution answers BAD_USER_INPUT instead, for literals
 * and variables alike, over HTTP and WebSocket.
 */
export function useRejectNulCharacters(): Plugin {
  const refusal = () => ({
    errors: [new GraphQLError('text arguments must not contain the NUL character (U+0000)', { extensions: { code: 'BAD_USER_INPUT' } })],
  });
  return {
    onExecute({ args, setResultAndStopExecution }) {
      if (containsNul(args.document, args.variableValues)) setResultAndStopExecution(refusal());
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      if (containsNul(args.document, args.variableValues)) setResultAndStopExecution(refusal());
    },
  };
}

function containsNul(document: DocumentNode, variables: unknown): boolean {
  return valueContainsNul(variables) || literalsContainNul(document);
}

/** Per document: yoga's parser cache hands out the same DocumentNode for the same text. */
const literalsChecked = new WeakMap<DocumentNode, boolean>();

function literalsContainNul(document: DocumentNode): boolean {
  let found = literalsChecked.get(document);
  if (found === undefined) {
    found = false;
    visit(document, {
      [Kind.STRING]: (node) => {
        if (node.value.includes('\u0000')) found = true;
      },
    });
    literalsChecked.set(document, found);
  }
  return found;
}

function valueContainsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(valueContainsNul);
  if (value !== null && typeof value === 'object') return Object.values(value).some(valueContainsNul);
  return false;
}
