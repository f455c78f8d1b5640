import { isAdmin, staffWith, type PolicyRules } from '../platform/auth/policy.js';
import type { SignedInUser } from '../platform/auth/actor.js';

declare module '../platform/auth/policy.js' {
  interface Permissions {
    'volunteers.read': true;
    'volunteers.write': true;
    'volunteering.self': true;
    'opportunities.manage': true;
    'opportunities.post': true;
    'referrals.manage': true;
    'referrals.answer': true;
    'vetting.write': true;
    'hours.confirm': true;
    'surge.switch': true;
    'surge.work': true;
    'volunteering.figures': true;
    'volunteering.portal': true;
  }
}

const coordinator = staffWith('volunteer_coordinator');

/**
 * A group member acts for their own organisation only (the record: an organisation id). Without a record the rule
 * answers whether they could for some organisation: whether to show them the page at all.
 */
const forOwnOrganisation = (a: SignedInUser, organisationId?: unknown) =>
  a.role === 'group_member' && a.organisationId !== null && (organisationId === undefined || a.organisationId === organisationId);

/**
 * Who may do what in volunteering.
 * - Volunteer coordinators (and admins) run brokerage: volunteers, roles and their approval, referrals, vetting,
 *   surge work and the figures. Other staff do not see volunteers' records: least privilege.
 * - A volunteer sees and changes only their own record, enquiries and hours (volunteering.self).
 * - A group member posts roles for their organisation (waiting for approval), answers its referrals and confirms
 *   hours given to it; a coordinator may do the same for any organisation.
 * - Switching the LIO into emergency surge mode is an admin's decision; the work in it is the coordinators'.
 */
export const volunteeringPolicy: PolicyRules = {
  'volunteers.read': coordinator,
  'volunteers.write': coordinator,
  'volunteering.self': (a) => a.role === 'volunteer',
  'opportunities.manage': coordinator,
  'opportunities.post': (a, organisationId) => coordinator(a) || forOwnOrganisation(a, organisationId),
  'referrals.manage': coordinator,
  'referrals.answer': (a, organisationId) => coordinator(a) || forOwnOrganisation(a, organisationId),
  'vetting.write': coordinator,
  'hours.confirm': (a, organisationId) => coordinator(a) || forOwnOrganisation(a, organisationId),
  'surge.switch': isAdmin,
  'surge.work': coordinator,
  'volunteering.figures': coordinator,
  // The group's own portal pages (/our-volunteering/…): offered to group members only; coordinators work from theirs.
  'volunteering.portal': (a) => forOwnOrganisation(a),
};
