import { randomBytes } from 'node:crypto';
import type { Database } from '../../src/platform/db/index.js';
import type {
  DbsLevel, OpportunitySchedule, OpportunityStatus, ReferralStatus, RegisteredVia, VettingKind, VettingOutcome, VolunteerStatus,
} from '../../src/platform/db/volunteering-schema.js';

const unique = () => randomBytes(4).toString('hex');

export interface VolunteerInput {
  /** An existing person (a user's, say); otherwise a new person is made with these details. */
  personId?: string;
  fullName?: string; email?: string; postcode?: string | null; dateOfBirth?: string | null;
  status?: VolunteerStatus; registeredVia?: RegisteredVia; travelKm?: number | null; latitude?: number | null; longitude?: number | null;
  inPerson?: boolean; remote?: boolean; skills?: string[]; interests?: string[]; causes?: string[]; languages?: string[]; availability?: string[];
  emergencyReserve?: boolean; createdAt?: Date;
}

export interface OpportunityInput {
  organisationId?: string | null; title?: string; description?: string; skills?: string[]; causes?: string[]; schedule?: OpportunitySchedule;
  availability?: string[]; inPerson?: boolean; remote?: boolean; postcode?: string | null; latitude?: number | null; longitude?: number | null;
  dbsLevel?: DbsLevel; minimumAge?: number; places?: number; closingOn?: string | null; inductionRequired?: boolean; status?: OpportunityStatus;
  submittedBy?: string | null;
}

/** Volunteers (each on a person record), opportunities, referrals, vetting checks and hours, made directly in the tables. */
export function volunteeringFactories(db: Database) {
  return {
    async volunteer(lio: { id: string }, v: VolunteerInput = {}) {
      const now = v.createdAt ?? new Date();
      return db.withTenant(lio.id, async (tx) => {
        const personId = v.personId ?? (await tx.insertInto('people').values({
          lio_id: lio.id, full_name: v.fullName ?? `Volunteer ${unique()}`, emails: [v.email ?? `volunteer-${unique()}@example.net`],
          postcode: v.postcode ?? null, date_of_birth: v.dateOfBirth ?? '1990-05-01', contact_methods: ['email'], created_at: now, updated_at: now,
        }).returning('id').executeTakeFirstOrThrow()).id;
        const row = await tx.insertInto('volunteers').values({
          lio_id: lio.id, person_id: personId, status: v.status ?? 'active', registered_via: v.registeredVia ?? 'online', travel_km: v.travelKm ?? 10,
          latitude: v.latitude ?? null, longitude: v.longitude ?? null, in_person: v.inPerson ?? true, remote: v.remote ?? false,
          skills: v.skills ?? [], interests: v.interests ?? [], causes: v.causes ?? [], languages: v.languages ?? ['English'], availability: v.availability ?? [],
          emergency_reserve: v.emergencyReserve ?? false, created_at: now, updated_at: now,
        }).returningAll().executeTakeFirstOrThrow();
        return { ...row, personId };
      });
    },

    async opportunity(lio: { id: string }, o: OpportunityInput = {}) {
      const now = new Date();
      return db.withTenant(lio.id, (tx) => tx.insertInto('opportunities').values({
        lio_id: lio.id, organisation_id: o.organisationId ?? null, title: o.title ?? `Role ${unique()}`, description: o.description ?? 'Help at our weekly session.',
        skills: o.skills ?? [], causes: o.causes ?? [], schedule: o.schedule ?? 'regular', availability: o.availability ?? [],
        in_person: o.inPerson ?? true, remote: o.remote ?? false, postcode: o.postcode ?? null, latitude: o.latitude ?? null, longitude: o.longitude ?? null,
        dbs_level: o.dbsLevel ?? 'none', minimum_age: o.minimumAge ?? 16, places: o.places ?? 3, closing_on: o.closingOn ?? null,
        induction_required: o.inductionRequired ?? false, status: o.status ?? 'published', submitted_by_user_id: o.submittedBy ?? null,
        approved_at: (o.status ?? 'published') === 'published' ? now : null, created_at: now, updated_at: now,
      }).returningAll().executeTakeFirstOrThrow());
    },

    /** A referral at `status`, with the dates of the steps up to it set to `at` (default now). */
    async referral(lio: { id: string }, r: { volunteerId: string; opportunityId: string; organisationId?: string | null; status?: ReferralStatus; at?: Date }) {
      const at = r.at ?? new Date();
      const status = r.status ?? 'referred';
      const reached = (s: ReferralStatus[]) => (s.includes(status) ? at : null);
      return db.withTenant(lio.id, (tx) => tx.insertInto('referrals').values({
        lio_id: lio.id, volunteer_id: r.volunteerId, opportunity_id: r.opportunityId, organisation_id: r.organisationId ?? null, status,
        enquired_at: at, referred_at: reached(['referred', 'contacted', 'accepted', 'declined', 'started', 'ended']),
        contacted_at: reached(['contacted', 'accepted', 'declined', 'started', 'ended']), answered_at: reached(['accepted', 'declined', 'started', 'ended']),
        started_at: reached(['started', 'ended']), ended_at: reached(['ended']), created_at: at, updated_at: at,
      }).returningAll().executeTakeFirstOrThrow());
    },

    async vettingCheck(lio: { id: string }, c: { volunteerId: string; kind?: VettingKind; dbsLevel?: Exclude<DbsLevel, 'none'> | null; outcome?: VettingOutcome;
      issuedOn?: string | null; expiresOn?: string | null; forOrganisationId?: string | null }) {
      const kind = c.kind ?? 'dbs';
      return db.withTenant(lio.id, (tx) => tx.insertInto('vetting_checks').values({
        lio_id: lio.id, volunteer_id: c.volunteerId, kind, dbs_level: kind === 'dbs' ? (c.dbsLevel ?? 'enhanced') : null,
        certificate_number: kind === 'dbs' ? String(100000000000 + Math.floor(Math.random() * 899999999999)) : null,
        issued_on: c.issuedOn ?? null, expires_on: c.expiresOn ?? null, outcome: c.outcome ?? 'passed', for_organisation_id: c.forOrganisationId ?? null,
      }).returningAll().executeTakeFirstOrThrow());
    },

    async hours(lio: { id: string }, h: { volunteerId: string; organisationId?: string | null; referralId?: string | null; workedOn?: string; minutes?: number;
      loggedBy?: 'volunteer' | 'organisation' | 'staff'; confirmedAt?: Date | null }) {
      return db.withTenant(lio.id, (tx) => tx.insertInto('volunteer_hours').values({
        lio_id: lio.id, volunteer_id: h.volunteerId, organisation_id: h.organisationId ?? null, referral_id: h.referralId ?? null,
        worked_on: h.workedOn ?? new Date().toISOString().slice(0, 10), minutes: h.minutes ?? 120, logged_by: h.loggedBy ?? 'volunteer',
        confirmed_at: h.confirmedAt ?? null,
      }).returningAll().executeTakeFirstOrThrow());
    },
  };
}
export type VolunteeringFactories = ReturnType<typeof volunteeringFactories>;
