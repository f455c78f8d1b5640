import { addCounts, dateTimeText, type PersonIdentity, type PersonalDataProvider, type PersonalDataRecord, type PersonalDataSection } from '../../platform/personal-data.js';
import type { Queryable } from '../../platform/db/index.js';
import { SIGNUP_LINK_DAYS } from '../register/repository.js';
import { THEMES } from '../../platform/vocabulary/themes.js';
import { DBS_LEVELS, REFERRAL_STATUSES, SKILLS, VOLUNTEER_STATUSES, slotLabel } from '../vocabulary.js';
import { volunteeringDataRepository as repo, VOLUNTEER_RETENTION_YEARS } from './repository.js';
import { linkActorLabel } from '../referrals/link-actor.js';

const list = (codes: string[], labels: Record<string, string> = {}) => codes.map((c) => labels[c] ?? c).join(', ');
const hoursText = (minutes: number) => `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;

/** The volunteer's profile, enquiries and referrals, vetting, hours and notes, as their page shows them. */
async function volunteerSections(tx: Queryable, identity: PersonIdentity): Promise<PersonalDataSection[]> {
  const volunteers = await repo.volunteersOf(tx, identity.recordIds);
  if (volunteers.length === 0) return [];
  const ids = volunteers.map((v) => v.id);
  const [referrals, vetting, hours, notes] = await Promise.all([repo.referralsOf(tx, ids), repo.vettingOf(tx, ids), repo.hoursOf(tx, ids), repo.notesOf(tx, ids)]);
  const profile: PersonalDataRecord[] = volunteers.map((v) => ({
    title: `Volunteer since ${dateTimeText(v.created_at)}`,
    fields: [
      { label: 'Status', value: VOLUNTEER_STATUSES[v.status] },
      { label: 'Skills', value: list(v.skills, SKILLS) },
      { label: 'Interests', value: list(v.interests) },
      { label: 'Causes', value: list(v.causes, THEMES) },
      { label: 'Languages', value: list(v.languages) },
      { label: 'Available', value: v.availability.map(slotLabel).join(', ') },
      { label: 'Will travel', value: v.travel_km === null ? '' : `${v.travel_km} km` },
      { label: 'Emergency reserve', value: v.emergency_reserve ? 'Yes' : 'No' },
      { label: 'Access needs', value: v.access_needs ?? '' },
      { label: 'Parent or guardian', value: v.guardian_name ? `${v.guardian_name} (${v.guardian_contact ?? ''}), consent ${dateTimeText(v.guardian_consent_at)}` : '' },
    ].filter((f) => f.value !== ''),
  }));
  return [
    { heading: 'Volunteer profile', records: profile },
    { heading: 'Volunteering enquiries and referrals', records: referrals.map((r) => ({
      title: `${r.title}${r.organisation_name ? ` (${r.organisation_name})` : ''}`,
      fields: [{ label: 'Where it stands', value: REFERRAL_STATUSES[r.status] }, { label: 'Enquired', value: dateTimeText(r.enquired_at) }],
    })) },
    { heading: 'Vetting', records: vetting.map((c) => ({
      title: c.kind === 'dbs' ? DBS_LEVELS[c.dbs_level ?? 'basic'] : c.kind[0]!.toUpperCase() + c.kind.slice(1),
      fields: [{ label: 'Outcome', value: c.outcome }, { label: 'Lapses', value: c.expires_on ?? 'Does not lapse' }],
    })) },
    { heading: 'Volunteering hours', records: hours.map((h) => ({
      title: `${h.worked_on}: ${hoursText(h.minutes)}`,
      fields: [{ label: 'Confirmed', value: h.confirmed_at ? dateTimeText(h.confirmed_at) : 'Not yet' }],
    })) },
    { heading: 'Volunteer coordinators\' notes', permission: 'volunteers.read', records: notes.map((n) => ({ title: dateTimeText(n.created_at), fields: [{ label: 'Note', value: n.body }] })) },
  ];
}

/**
 * A volunteer's record (profile, enquiries and referrals, vetting, hours, staff notes) and the person's part in the
 * volunteering histories when they worked on others' records. Found through the person record: a volunteer is a person.
 */
export const volunteeringPersonalData: PersonalDataProvider = {
  key: 'volunteering',
  title: 'Volunteering',
  tables: ['opportunities', 'volunteers', 'volunteer_notes', 'volunteer_events', 'referrals', 'referral_steps', 'referral_links', 'vetting_checks',
    'volunteer_hours', 'surge_assignments', 'volunteer_messages', 'volunteer_signups',
    // Made from the volunteer's record by triggers (migration 034): an erased volunteer (made inactive) has none.
    'volunteer_match_profiles'],

  /**
   * An organisation's answer from its e-mailed link is signed with the address the link went to: the person holding
   * that address is who acted, in the referral's history and in the audit log.
   */
  async identify(_context, identity) {
    return { actorLabels: identity.emails.map(linkActorLabel) };
  },

  async describe({ tx }, identity) {
    const waiting = await repo.signupsFor(tx, identity.emails);
    const held = waiting.length ? [{ heading: 'Volunteer sign-ups waiting for the email address to be confirmed', records: waiting.map((w) => ({
      title: `${w.via === 'surge' ? 'Emergency sign-up' : 'Registration'} sent ${dateTimeText(w.created_at)}`,
      fields: [{ label: 'Sent with', value: w.email }, { label: 'Deleted unless confirmed by', value: dateTimeText(w.expires_at) }],
    })) }] : [];
    return [...held, ...await volunteerSections(tx, identity)];
  },

  async export({ tx }, identity) {
    const volunteers = await repo.volunteersOf(tx, identity.recordIds);
    const own = await repo.rowsOf(tx, volunteers.map((v) => v.id));
    const [events, steps] = await repo.actedRows(tx, identity.userIds, identity.actorLabels);
    const opportunities = await repo.opportunitiesBy(tx, identity.userIds);
    const links = await repo.linksSentTo(tx, identity.emails);
    // The hash of the confirmation link's secret is a key, not something about the person.
    const profiles = volunteers.map(({ confirm_token_hash: _secret, ...v }) => v);
    return { volunteers: profiles, ...own, volunteer_events_by_them: events, referral_steps_by_them: steps, opportunities_posted_or_approved_by_them: opportunities,
      referral_links_sent_to_them: links, volunteer_signups: await repo.signupsFor(tx, identity.emails) };
  },

  erasure: 'Sign-ups waiting for their e-mailed link are deleted. The volunteer profile is emptied and its confirmation link stops working; staff notes, history, vetting records and emergency assignments are removed. Referrals and hours stay, without their notes, so the LIO\'s counts stay true. Where the person worked on others\' records, or answered a referral from a link e-mailed to them, the history says "Erased person", and such links stop working.',

  async erase({ tx, now }, identity) {
    const volunteers = await repo.volunteersOf(tx, identity.recordIds);
    const outcome = await repo.eraseVolunteers(tx, volunteers.map((v) => v.id), now);
    const relabelled = identity.actorLabels.length ? await repo.relabelActor(tx, identity.actorLabels) : {};
    const links = await repo.forgetLinksSentTo(tx, identity.emails, now);
    const signups = await repo.removeSignupsFor(tx, identity.emails);
    return { removed: addCounts({ ...outcome.removed }, { volunteer_signups: signups }), anonymised: addCounts({ ...outcome.anonymised }, { ...relabelled, referral_links: links }) };
  },

  async merge({ tx, now }, { kept, merged }) {
    return repo.mergeVolunteers(tx, merged.personId, kept.personId, now);
  },

  retention: {
    rule: `A volunteer record with no change, referral, hours or vetting for ${VOLUNTEER_RETENTION_YEARS} years is emptied, as erasure does; its referrals and hours stay in the counts. A sign-up whose e-mailed link was not followed within ${SIGNUP_LINK_DAYS} days is deleted.`,
    async apply({ tx, now }) {
      const ids = (await repo.staleVolunteerIds(tx, now)).map((r) => r.id);
      const outcome = await repo.eraseVolunteers(tx, ids, now);
      return addCounts(addCounts({ ...outcome.removed }, outcome.anonymised), { volunteer_signups: await repo.removeLapsedSignups(tx, now) });
    },
  },
};
