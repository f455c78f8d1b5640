import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { SlowestFirst } from './test/helpers/sequencer.js';
import { E2E_TIMEOUTS } from './test/helpers/timeouts.js';

/** A file that replaces a module with vi.mock needs a fresh module graph: it must not share its worker's. */
const OWN_MODULES = ['test/platform/hostile-input.test.ts'];
const E2E = ['test/e2e/**/*.test.ts'];

/**
 * Each file builds its own app on its own database (PGlite in memory, or its own PostgreSQL schema), so files run in
 * parallel, and one worker process runs file after file (isolate: false): loading the app's modules again for every
 * file cost more than many files' tests. What a file sets for itself (vi.setConfig, mocks) is undone after it.
 */
const shared = { pool: 'forks', isolate: false, testTimeout: 60_000, hookTimeout: 60_000 } as const;

const project = (name: string, test: TestProjectInlineConfiguration['test']): TestProjectInlineConfiguration => ({ test: { name, ...shared, ...test } });

export default defineConfig({
  test: {
    // Run once for the whole run (the projects below do not repeat it); it gives every project the migrated PGlite.
    globalSetup: ['test/helpers/pglite-template.ts'],
    maxWorkers: 2,
    sequence: { sequencer: SlowestFirst },
    projects: [
      project('journeys', { include: E2E, ...E2E_TIMEOUTS }),
      project('app', { include: ['src/**/*.test.ts', 'test/**/*.test.ts'], exclude: [...E2E, ...OWN_MODULES] }),
      project('own-modules', { include: OWN_MODULES, isolate: true }),
    ],
  },
});
