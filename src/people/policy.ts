import { isAdmin, isLioStaff, type PolicyRules } from '../platform/auth/policy.js';

declare module '../platform/auth/policy.js' {
  interface Permissions {
    'people.read': true;
    'people.write': true;
    'people.rights': true;
    'people.merge': true;
  }
}

/**
 * Who may do what with person records.
 * - people.read: LIO staff (admin or staff) find people and open a person's page, which shows everything the LIO
 *   holds about them across capabilities; every opening of that page is audited.
 * - people.write: LIO staff add and correct people and record or withdraw their consents: the everyday work of
 *   advisers, coordinators and helpline staff.
 * - people.merge: LIO staff who work with people (an admin, or staff holding any permission set) merge two records of
 *   one person, as advisers merge two records of one organisation: the staff who meet the duplicates mend them, and
 *   the merge keeps everything of both records.
 * - people.rights: LIO admins only. Subject-access export and erasure act on everything the LIO holds about a person
 *   at once and cannot be undone, so they stay with the people answerable for data protection.
 * Group members, volunteers, partners and network accounts hold none of these: they never see the LIO's people.
 */
export const peoplePolicy: PolicyRules = {
  'people.read': isLioStaff,
  'people.write': isLioStaff,
  'people.rights': isAdmin,
  'people.merge': (a) => isAdmin(a) || (a.role === 'staff' && a.permissionSets.length > 0),
};
