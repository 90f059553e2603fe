/** Types of build-dashboard.mjs (tests and the bench build the dashboard when stale). */
export function isStale(): Promise<boolean>;
export function buildDashboard(options?: { ifStale?: boolean; quiet?: boolean }): Promise<boolean>;
