/** A log-friendly text for what graphql-ws and the API hand back: close events, errors, error lists. */
export function describeError(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && 'reason' in error) {
    const { code, reason } = error as { code: unknown; reason?: unknown };
    return `close ${String(code)}${reason ? ` ${String(reason)}` : ''}`;
  }
  if (error instanceof Error) return error.message;
  if (Array.isArray(error)) return error.map(describeError).join('; ');
  if (error && typeof error === 'object' && 'message' in error) return String((error as { message: unknown }).message);
  return String(error);
}
