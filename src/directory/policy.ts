import { isAdmin, isLioStaff, staffWith, type PolicyRules } from '../platform/auth/policy.js';
import type { SignedInUser } from '../platform/auth/actor.js';

declare module '../platform/auth/policy.js' {
  interface Permissions {
    'organisations.read': true;
    'organisations.write': true;
    'services.write': true;
    'listing.edit_own': true;
    'listing.approve': true;
    'taxonomy.manage': true;
    'directory.import': true;
    'directory.export': true;
    'directory.settings': true;
  }
}

/** A group member proposes edits to their own organisation's listing and its services (the record: its organisation id); staff approve them. */
const editsOwnListing = (a: SignedInUser, organisationId?: unknown) =>
  a.role === 'group_member' && a.organisationId !== null && (organisationId === undefined || a.organisationId === organisationId);

export const directoryPolicy: PolicyRules = {
  'organisations.read': isLioStaff,
  'organisations.write': staffWith('adviser'),
  'services.write': staffWith('adviser'),
  'listing.edit_own': editsOwnListing,
  'listing.approve': staffWith('adviser'),
  'taxonomy.manage': isAdmin,
  'directory.import': isAdmin,
  'directory.export': isLioStaff,
  // The LIO's directory settings (how long a listing stays verified).
  'directory.settings': isAdmin,
};
