import { THEMES } from '../../platform/vocabulary/themes.js';
import { AVAILABILITY_SLOTS, DBS_LEVELS, OPPORTUNITY_STATUSES, SCHEDULES, SKILLS, slotLabel } from '../vocabulary.js';
import type { FastifyReply } from 'fastify';
import type { OpportunityStatus } from '../../platform/db/volunteering-schema.js';
import type { RoleFormValues } from './form.js';
import type { RoleRow } from './repository.js';

const labels = (codes: string[], vocabulary: Record<string, string>) => codes.map((c) => vocabulary[c] ?? c);

const STATUS_TAGS: Record<OpportunityStatus, string> = { draft: 'govuk-tag--grey', pending: 'govuk-tag--yellow', published: 'govuk-tag--green', rejected: 'govuk-tag--red', closed: 'govuk-tag--grey' };

export function closingText(closingOn: string | null): string {
  if (!closingOn) return 'No closing date';
  return new Date(`${closingOn}T12:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}

export function whereText(r: { in_person: boolean; remote: boolean; postcode: string | null }): string {
  if (r.in_person && r.remote) return `In person${r.postcode ? ` near ${r.postcode}` : ''} or remotely`;
  return r.remote ? 'Remote' : `In person${r.postcode ? ` near ${r.postcode}` : ''}`;
}

/** A role as the pages show it. */
export function roleView(r: RoleRow & { distance_km?: number | null }) {
  return {
    id: r.id, title: r.title, paragraphs: r.description.split(/\n+/).map((p) => p.trim()).filter(Boolean), organisation: r.organisation_name ?? 'Our own volunteering team',
    status: r.status, statusLabel: OPPORTUNITY_STATUSES[r.status], statusClass: STATUS_TAGS[r.status], rejectionReason: r.rejection_reason,
    skills: labels(r.skills, SKILLS), causes: labels(r.causes, THEMES), schedule: SCHEDULES[r.schedule], scheduleDetail: r.schedule_detail,
    availability: r.availability.map(slotLabel), where: whereText(r), distance: r.distance_km === null || r.distance_km === undefined ? null : `${r.distance_km.toFixed(1)} km away`,
    dbs: DBS_LEVELS[r.dbs_level], minimumAge: r.minimum_age, places: r.places, closing: closingText(r.closing_on),
    induction: r.induction_required ? 'Yes' : 'No',
  };
}

/** The summary rows of a role's page. */
export function roleSummaryRows(v: ReturnType<typeof roleView>) {
  const row = (key: string, value: string) => ({ key: { text: key }, value: { text: value } });
  return [
    row('Organisation', v.organisation),
    row('When', [v.schedule, v.scheduleDetail].filter(Boolean).join(': ')),
    ...(v.availability.length ? [row('Times', v.availability.join(', '))] : []),
    row('Where', v.where),
    row('Skills wanted', v.skills.join(', ') || 'None in particular'),
    row('Causes', v.causes.join(', ') || 'None given'),
    row('DBS check', v.dbs),
    row('Minimum age', String(v.minimumAge)),
    row('Volunteers needed', String(v.places)),
    row('Induction needed', v.induction),
    row('Closing date', v.closing),
  ];
}

const checked = (entries: [string, string][], chosen: string[]) => entries.map(([value, text]) => ({ value, text, checked: chosen.includes(value) }));

/** The choices of the role form, with what was chosen ticked. */
export function roleFormItems(values: RoleFormValues, organisations?: { id: string; name: string }[]) {
  return {
    skillItems: checked(Object.entries(SKILLS), values.skills),
    causeItems: checked(Object.entries(THEMES), values.causes),
    scheduleItems: checked(Object.entries(SCHEDULES), [values.schedule]),
    slotItems: checked(AVAILABILITY_SLOTS.map((s) => [s, slotLabel(s)]), values.availability),
    whereItems: checked([['in_person', 'In person'], ['remote', 'Remotely (from home or online)']], values.where),
    dbsItems: checked(Object.entries(DBS_LEVELS), [values.dbsLevel]),
    inductionItems: checked([['yes', 'Yes'], ['no', 'No']], [values.induction]),
    organisationItems: organisations
      ? [{ value: '', text: 'Our own role (no organisation)', selected: !values.organisationId }, ...organisations.map((o) => ({ value: o.id, text: o.name, selected: o.id === values.organisationId }))]
      : null,
  };
}

/** A role in the open feed. */
export function roleJson(r: RoleRow & { distance_km?: number | null }, origin: string) {
  return {
    id: r.id, title: r.title, description: r.description, organisation: r.organisation_name ?? null, skills: r.skills, causes: r.causes,
    schedule: r.schedule, schedule_detail: r.schedule_detail, availability: r.availability, in_person: r.in_person, remote: r.remote,
    postcode: r.postcode, latitude: r.latitude, longitude: r.longitude, ...(r.distance_km === undefined || r.distance_km === null ? {} : { distance_km: r.distance_km }),
    dbs_level: r.dbs_level, minimum_age: r.minimum_age, places: r.places, closing_on: r.closing_on, induction_required: r.induction_required,
    url: `${origin}/opportunities/${r.id}`,
  };
}

/** A link to a role shared before it closed says so (410), with where to look instead, rather than that it never was. */
export function closedRolePage(reply: FastifyReply, closed: unknown) {
  return reply.render('volunteering/opportunities/views/public-closed.njk', { title: 'This role has closed', role: closed }, 410);
}
