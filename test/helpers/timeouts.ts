/**
 * A journey visits many pages and checks each with axe, which takes a second or so a page on a busy machine, so it
 * gets more time per test. vitest.config.ts gives these to every file in test/e2e/ (its "journeys" project).
 */
export const E2E_TIMEOUTS = { testTimeout: 180_000, hookTimeout: 120_000 };
