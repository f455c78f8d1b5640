import type { Capability } from '../platform/capability.js';
import { accountsPolicy } from './policy.js';
import { registerAccountRoutes } from './routes.js';
import { CREATE_ADMIN_USAGE, runCreateAdmin } from './create-admin.js';
import { CREATE_LIO_USAGE, runCreateLio } from './lios/command.js';
import { registerLioRoutes } from './lios/routes.js';
import { DEMO_PASSWORD, seedDemoUsers } from './seed.js';
import { hashPassword } from '../platform/auth/secrets.js';
import { accountsPersonalData } from './personal-data/provider.js';
import { SignInThrottle } from './throttle.js';

export const THROTTLE_SWEEP_JOB = 'accounts.sign_in_throttle_sweep';

export { DEMO_PASSWORD, DEMO_USERS } from './seed.js';

/** Sign-in, accounts and the LIO's users. */
export const accountsCapability: Capability = {
  name: 'accounts',
  policy: accountsPolicy,
  navigation: {
    pages: [
      { area: 'admin', href: '/admin/users', text: 'Users', permission: 'users.manage', order: 10 },
    ],
  },
  async routes(app, deps) {
    await registerAccountRoutes(app, deps);
    await registerLioRoutes(app, deps);
  },
  // Counts of wrong passwords are only needed for their window: an hourly sweep keeps the table small.
  jobs: (queue, { db, clock, config }) => {
    const throttle = new SignInThrottle(config);
    queue.registerRecurring(THROTTLE_SWEEP_JOB, 60 * 60_000, async () => { await throttle.sweep(db.system, clock.now()); });
  },
  commands: [
    { name: 'create-admin', usage: `${CREATE_ADMIN_USAGE}\n    create an LIO admin (and the LIO if there is none yet)`, run: runCreateAdmin },
    { name: 'create-lio', usage: `${CREATE_LIO_USAGE}\n    add an LIO with its host names, and invite its first admin`, run: runCreateLio },
  ],
  async seedDemo(tx, { lio, now, config }) {
    await seedDemoUsers(tx, lio.id, await hashPassword(DEMO_PASSWORD, config.passwordHashing), now);
  },
  personalData: accountsPersonalData,
};
