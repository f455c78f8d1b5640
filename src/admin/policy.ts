import { isAdmin, type PolicyRules } from '../platform/auth/policy.js';

declare module '../platform/auth/policy.js' {
  interface Permissions {
    'audit.read': true;
    'outbox.read': true;
    'api_tokens.manage': true;
    'front_door.manage': true;
  }
}

export const adminPolicy: PolicyRules = {
  'audit.read': isAdmin,
  'outbox.read': isAdmin,
  'api_tokens.manage': isAdmin,
  // The LIO's own words on its public home page.
  'front_door.manage': isAdmin,
};
