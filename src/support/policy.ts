import { isAdmin, staffWith, type PolicyRules } from '../platform/auth/policy.js';
import type { SignedInUser } from '../platform/auth/actor.js';

declare module '../platform/auth/policy.js' {
  interface Permissions {
    'cases.read': true;
    'cases.write': true;
    'support.request': true;
    'funding.manage': true;
    'funding.view': true;
    'funding.portal': true;
    'grants.import': true;
    'support.spend': true;
    'support.figures': true;
    'training.manage': true;
    'training.book': true;
    'bulletins.send': true;
    'membership.manage': true;
    'membership.join': true;
  }
}

const adviser = staffWith('adviser');
const trainer = staffWith('trainer');

/** A group member acts for their own organisation only (the record: an organisation id); without one, whether they could at all. */
const forOwnOrganisation = (a: SignedInUser, organisationId?: unknown) =>
  a.role === 'group_member' && a.organisationId !== null && (organisationId === undefined || a.organisationId === organisationId);

/**
 * Who may do what in support for groups.
 * - Advisers (and admins) work cases, curate funding, import grants data, send bulletins and keep membership.
 *   Other staff do not read cases: what a group tells its adviser stays between them and the advisers.
 * - Trainers (and admins) run courses, sessions, bookings and registers.
 * - A group member asks for support for their own organisation, sees its cases, the funding that fits it and its
 *   membership, and books places for its people.
 * - What the LIO spent on support (the leverage figure's bottom line) is entered by an admin; the figures are for
 *   advisers, trainers and admins.
 */
export const supportPolicy: PolicyRules = {
  'cases.read': adviser,
  'cases.write': adviser,
  'support.request': (a, organisationId) => forOwnOrganisation(a, organisationId),
  'funding.manage': adviser,
  'funding.view': (a, organisationId) => adviser(a) || forOwnOrganisation(a, organisationId),
  // The group's own funding page (/our-support/funding): group members only; advisers see any group's from theirs.
  'funding.portal': (a) => forOwnOrganisation(a),
  'grants.import': adviser,
  'support.spend': isAdmin,
  'support.figures': (a) => adviser(a) || trainer(a),
  'training.manage': trainer,
  // Booking while signed in (a resident books without an account, from the public page).
  'training.book': (a) => a.role !== 'network' && a.role !== 'partner',
  'bulletins.send': adviser,
  'membership.manage': adviser,
  'membership.join': (a, organisationId) => forOwnOrganisation(a, organisationId),
};
