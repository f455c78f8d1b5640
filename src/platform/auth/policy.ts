import type { SignedInUser } from './actor.js';

/**
 * What each role may do. Capabilities name the permission they need; a service checks it first
 * (`can(actor, …)`) and the navigation shows only what `can` allows.
 */
export type Permission =
  | 'users.manage'
  | 'audit.read'
  | 'outbox.read'
  | 'api_tokens.manage'
  | 'organisations.read'
  | 'organisations.write'
  | 'api.reference'
  | 'services.write'
  | 'listing.edit_own'
  | 'listing.approve'
  | 'taxonomy.manage'
  | 'directory.import'
  | 'directory.export'
  | 'directory.settings';

const isAdmin = (a: SignedInUser) => a.role === 'admin';
const isLioStaff = (a: SignedInUser) => a.role === 'admin' || a.role === 'staff';

const rules: Record<Permission, (actor: SignedInUser) => boolean> = {
  'users.manage': isAdmin,
  'audit.read': isAdmin,
  'outbox.read': isAdmin,
  'api_tokens.manage': isAdmin,
  'organisations.read': isLioStaff,
  'organisations.write': (a) => isAdmin(a) || (a.role === 'staff' && a.permissionSets.includes('adviser')),
  'api.reference': isLioStaff,
  'services.write': (a) => isAdmin(a) || (a.role === 'staff' && a.permissionSets.includes('adviser')),
  // A group member proposes edits to their own organisation's listing and its services; staff approve them.
  'listing.edit_own': (a) => a.role === 'group_member' && a.organisationId !== null,
  'listing.approve': (a) => isAdmin(a) || (a.role === 'staff' && a.permissionSets.includes('adviser')),
  'taxonomy.manage': isAdmin,
  'directory.import': isAdmin,
  'directory.export': isLioStaff,
  // The LIO's directory settings (how long a listing stays verified).
  'directory.settings': isAdmin,
};

export function can(actor: SignedInUser | null, permission: Permission): boolean {
  return actor !== null && rules[permission](actor);
}

export class ForbiddenError extends Error {
  readonly statusCode = 403;
  constructor(readonly permission: Permission) {
    super('You do not have permission to do that');
  }
}

/** First line of a service method: refuses with ForbiddenError, which the error handler turns into a 403 page. */
export function authorise(actor: SignedInUser | null, permission: Permission): asserts actor is SignedInUser {
  if (!can(actor, permission)) throw new ForbiddenError(permission);
}
