import { loadConfig, type Config } from '../../src/platform/config.js';
import { FixedClock } from '../../src/platform/clock.js';
import { buildApp, type App } from '../../src/app.js';
import type { Database } from '../../src/platform/db/index.js';
import type { Mailer } from '../../src/platform/mail.js';
import type { Capability } from '../../src/platform/capability.js';
import { createTestDatabase } from './database.js';
import { factories, type Factories } from './factories.js';
import { signedInClient } from './client.js';

/** argon2id at a lower cost so suites stay quick; the algorithm and code path are the production ones. */
export const TEST_HASHING = { memoryCost: 1024, timeCost: 1 };

export interface TestContext { app: App; db: Database; clock: FixedClock; config: Config; make: Factories; close: () => Promise<void> }

export async function createTestApp(options: { env?: Record<string, string>; config?: Partial<Config>; mailer?: Mailer; capabilities?: readonly Capability[] } = {}): Promise<TestContext> {
  const { db, dispose } = await createTestDatabase();
  const config = loadConfig({ LOG_LEVEL: 'silent', ...options.env }, {
    passwordHashing: TEST_HASHING,
    signInRateLimit: 1000,
    // Tests run due jobs themselves (app.jobs.drain()) so that nothing races them.
    worker: { pollMs: 50, enabled: false },
    ...options.config,
  });
  const clock = new FixedClock(new Date());
  const app = await buildApp({ config, db, clock, ...(options.mailer ? { mailer: options.mailer } : {}), ...(options.capabilities ? { capabilities: options.capabilities } : {}) });
  await app.ready();
  return {
    app, db, clock, config, make: factories(db),
    async close() {
      await app.close();
      await dispose();
    },
  };
}

/** A new user of `lio` (a member of staff unless `overrides` say otherwise) and a client signed in as them. */
export async function signedInUser(t: TestContext, lio: { id: string; host: string }, overrides: Parameters<Factories['user']>[1] = {}) {
  const user = await t.make.user(lio, overrides);
  return { user, client: await signedInClient(t.app, lio.host, user) };
}
