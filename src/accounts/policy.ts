import { isAdmin, type PolicyRules } from '../platform/auth/policy.js';

declare module '../platform/auth/policy.js' {
  interface Permissions {
    'users.manage': true;
  }
}

export const accountsPolicy: PolicyRules = {
  'users.manage': isAdmin,
};
