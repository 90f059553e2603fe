/** A ValidationError problem as the API sends it. */
export interface Problem {
  path: readonly string[];
  message: string;
}

/**
 * Problems by the form field they belong to: the last path segment that is a field name
 * (['items', '0', 'weight'] → weight, ['input', 'intervalSeconds'] → intervalSeconds); a path
 * that names no field (['items', '0'], a duplicate) goes to `fallback`.
 */
/** Argument names that wrap fields: a problem on one of them names no single field. */
const ARGUMENT_ROOTS = new Set(['items', 'input', 'patch', 'text', 'settings']);

export function problemsByField(problems: readonly Problem[], fallback: string): Record<string, string> {
  const byField: Record<string, string> = {};
  for (const problem of problems) {
    const last = problem.path[problem.path.length - 1];
    const field = last === undefined || /^\d+$/.test(last) || ARGUMENT_ROOTS.has(last) ? fallback : last;
    byField[field] = byField[field] ? `${byField[field]}; ${problem.message}` : problem.message;
  }
  return byField;
}
