import type { SignedInUser } from './actor.js';

/**
 * Every permission of every capability. Each capability adds its own names from its `policy.ts` by declaration
 * merging (`declare module '../platform/auth/policy.js' { interface Permissions { 'organisations.read': true } }`),
 * so a new capability never edits this file, and a misspelt permission is still a type error.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Permissions {}
export type Permission = keyof Permissions & string;

/** A rule: whether this person may do it, optionally to this record (a group member and their own listing, say). */
export type Rule = (actor: SignedInUser, record?: unknown) => boolean;
export type PolicyRules = { [P in Permission]?: Rule };

const rules = new Map<string, Rule>();

/**
 * Adds a capability's rules to the one registry `can` reads. Registering the same rule again is harmless (every
 * app built in a process registers its capabilities); two capabilities claiming one permission is a programming
 * error, caught the first time the app is built.
 */
export function registerPolicy(owner: string, policy: PolicyRules): void {
  for (const [permission, rule] of Object.entries(policy) as [string, Rule][]) {
    const known = rules.get(permission);
    if (known && known !== rule) throw new Error(`${owner} registers the permission ${permission}, which another capability already has`);
    rules.set(permission, rule);
  }
}

export const isAdmin = (a: SignedInUser) => a.role === 'admin';
export const isLioStaff = (a: SignedInUser) => a.role === 'admin' || a.role === 'staff';
/** An admin, or LIO staff holding this permission set. */
export const staffWith = (set: SignedInUser['permissionSets'][number]) => (a: SignedInUser) => isAdmin(a) || (a.role === 'staff' && a.permissionSets.includes(set));

export function can(actor: SignedInUser | null, permission: Permission, record?: unknown): boolean {
  if (actor === null) return false;
  const rule = rules.get(permission);
  if (!rule) throw new Error(`No capability registers the permission ${permission}`);
  return rule(actor, record);
}

export class ForbiddenError extends Error {
  readonly statusCode = 403;
  constructor(readonly permission: Permission) {
    super('You do not have permission to do that');
  }
}

/** First line of a service method: refuses with ForbiddenError, which the error handler turns into a 403 page. */
export function authorise(actor: SignedInUser | null, permission: Permission, record?: unknown): asserts actor is SignedInUser {
  if (!can(actor, permission, record)) throw new ForbiddenError(permission);
}
