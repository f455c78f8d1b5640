import type { PermissionSet, Role } from '../db/schema.js';

/** The person behind a request, as the rest of the app sees them. */
export interface SignedInUser {
  id: string;
  lioId: string;
  email: string;
  displayName: string;
  role: Role;
  permissionSets: PermissionSet[];
  organisationId: string | null;
}

export const ROLE_LABELS: Record<Role, string> = {
  admin: 'LIO admin',
  staff: 'LIO staff',
  group_member: 'Group member',
  volunteer: 'Volunteer',
  partner: 'Partner',
  network: 'Network',
};

export const PERMISSION_SET_LABELS: Record<PermissionSet, string> = {
  adviser: 'Adviser',
  volunteer_coordinator: 'Volunteer coordinator',
  helpline: 'Helpline',
  trainer: 'Trainer',
};

export const ROLES = Object.keys(ROLE_LABELS) as Role[];
export const PERMISSION_SETS = Object.keys(PERMISSION_SET_LABELS) as PermissionSet[];
