import type { Capability } from '../platform/capability.js';
import { adminPolicy } from './policy.js';
import { registerAdminRoutes } from './routes.js';
import { adminPersonalData } from './personal-data/provider.js';

/** The LIO's administration: audit log, outbox and the API tokens that open the JSON API. */
export const adminCapability: Capability = {
  name: 'admin',
  policy: adminPolicy,
  navigation: {
    areas: [{ id: 'admin', title: 'Admin', order: 90 }],
    pages: [
      { area: 'admin', href: '/admin/audit', text: 'Audit log', permission: 'audit.read', order: 20 },
      { area: 'admin', href: '/admin/outbox', text: 'Outbox', permission: 'outbox.read', order: 30 },
      { area: 'admin', href: '/admin/api-tokens', text: 'API tokens', permission: 'api_tokens.manage', order: 40 },
    ],
  },
  routes: (app, deps) => registerAdminRoutes(app, deps),
  personalData: adminPersonalData,
};
