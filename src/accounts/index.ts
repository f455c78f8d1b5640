import type { Capability } from '../platform/capability.js';
import { accountsPolicy } from './policy.js';
import { registerAccountRoutes } from './routes.js';
import { CREATE_ADMIN_USAGE, runCreateAdmin } from './create-admin.js';
import { CREATE_LIO_USAGE, runCreateLio } from './lios/command.js';
import { registerLioRoutes } from './lios/routes.js';
import { DEMO_PASSWORD, seedDemoUsers } from './seed.js';
import { hashPassword } from '../platform/auth/secrets.js';
import { accountsPersonalData } from './personal-data/provider.js';

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
  commands: [
    { name: 'create-admin', usage: `${CREATE_ADMIN_USAGE}\n    create an LIO admin (and the LIO if there is none yet)`, run: runCreateAdmin },
    { name: 'create-lio', usage: `${CREATE_LIO_USAGE}\n    add an LIO with its host names, and invite its first admin`, run: runCreateLio },
  ],
  async seedDemo(tx, { lio, now, config }) {
    await seedDemoUsers(tx, lio.id, await hashPassword(DEMO_PASSWORD, config.passwordHashing), now);
  },
  personalData: accountsPersonalData,
};
