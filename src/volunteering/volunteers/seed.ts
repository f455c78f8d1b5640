import type { Queryable } from '../../platform/db/index.js';
import type { DemoSeedContext } from '../../platform/capability.js';
import type { VolunteerStatus } from '../../platform/db/volunteering-schema.js';
import { lookupPostcode } from '../../platform/geography/geocode.js';
import { compactPostcode } from '../../platform/validation/postcodes.js';
import { AVAILABILITY_SLOTS } from '../vocabulary.js';

interface DemoVolunteer {
  name: string; postcode: string; born: string; status: VolunteerStatus; skills: string[]; causes: string[]; slots: string[];
  travel: number | null; remote?: boolean; reserve?: boolean; languages?: string[]; interests?: string[]; phone?: string; via?: 'online' | 'staff';
  guardian?: string; unconfirmed?: boolean; daysAgo: number;
}

const weekdays = (part: string) => ['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => `${d}-${part}`);
const weekend = ['sat-morning', 'sat-afternoon', 'sun-morning', 'sun-afternoon'];

/** Volunteers of every status, skill and time of week, at postcodes the directory's demo seed put in the postcodes table. */
const VOLUNTEERS: DemoVolunteer[] = [
  { name: 'Tomasz Kowalski', postcode: 'RV1 1AB', born: '1984-02-11', status: 'active', skills: ['driving', 'lifting'], causes: ['food', 'crisis'], slots: weekend, travel: 15, reserve: true, languages: ['English', 'Polish'], daysAgo: 300 },
  { name: 'Grace Adeyemi', postcode: 'RV2 4DE', born: '1991-07-23', status: 'placed', skills: ['befriending', 'caring'], causes: ['older', 'loneliness'], slots: weekdays('afternoon'), travel: 5, daysAgo: 250 },
  { name: 'Harry Whitfield', postcode: 'RV3 2FG', born: '1958-11-02', status: 'active', skills: ['finance', 'trustee'], causes: ['community', 'money'], slots: ['tue-evening', 'thu-evening'], travel: 20, remote: true, daysAgo: 410 },
  { name: 'Priya Sharma', postcode: 'RV3 4BE', born: '1999-04-30', status: 'new', skills: ['computers', 'teaching'], causes: ['digital', 'learning'], slots: ['sat-morning', 'wed-evening'], travel: 8, languages: ['English', 'Punjabi', 'Hindi'], daysAgo: 3 },
  { name: 'Owen Llewellyn', postcode: 'RV4 3AD', born: '2009-05-14', status: 'new', skills: ['youth', 'events'], causes: ['sport', 'families'], slots: weekend, travel: 3, guardian: 'Sian Llewellyn', daysAgo: 2 },
  { name: 'Margaret Doyle', postcode: 'RV9 2PQ', born: '1949-09-19', status: 'active', skills: ['catering', 'befriending'], causes: ['older', 'faith'], slots: weekdays('morning'), travel: 2, interests: ['baking', 'chatting'], daysAgo: 700 },
  { name: 'Jamal Ibrahim', postcode: 'RV5 1YZ', born: '1988-12-01', status: 'active', skills: ['languages', 'befriending'], causes: ['advice', 'equalities'], slots: ['mon-evening', 'wed-evening'], travel: 10, languages: ['English', 'Arabic', 'Somali'], reserve: true, daysAgo: 180 },
  { name: 'Chloe Bennett', postcode: 'RV6 2WX', born: '2001-03-08', status: 'placed', skills: ['marketing', 'events'], causes: ['environment', 'arts'], slots: ['sat-afternoon'], travel: 12, remote: true, daysAgo: 120 },
  { name: 'Arjun Mehta', postcode: 'RV10 1TU', born: '1976-06-17', status: 'inactive', skills: ['admin', 'finance'], causes: ['money'], slots: [], travel: null, remote: true, daysAgo: 900 },
  { name: 'Niamh O’Connor', postcode: 'RV7 1LN', born: '1995-10-25', status: 'active', skills: ['gardening', 'lifting'], causes: ['environment', 'health'], slots: ['sun-morning', 'sat-morning'], travel: 6, reserve: true, daysAgo: 95 },
  { name: 'David Osei', postcode: 'RV8 3RS', born: '1969-01-30', status: 'active', skills: ['driving'], causes: ['health', 'transport'], slots: weekdays('morning'), travel: 25, reserve: true, daysAgo: 60 },
  { name: 'Fatima Begum', postcode: 'RV1 3HJ', born: '1983-08-14', status: 'new', skills: ['caring', 'languages'], causes: ['families', 'mental_health'], slots: ['tue-morning', 'thu-morning'], travel: 4, languages: ['English', 'Bengali'], via: 'staff', daysAgo: 6 },
  { name: 'Liam Hughes', postcode: 'RV2 4DE', born: '2004-12-12', status: 'new', skills: ['computers', 'retail'], causes: ['digital'], slots: ['fri-afternoon', 'sat-afternoon'], travel: 5, unconfirmed: true, daysAgo: 1 },
  { name: 'Rosa Fernández', postcode: 'RV3 2FG', born: '1979-05-05', status: 'active', skills: ['teaching', 'coaching'], causes: ['learning', 'employment'], slots: ['mon-evening', 'tue-evening'], travel: 10, languages: ['English', 'Spanish'], daysAgo: 220 },
  { name: 'Kwame Mensah', postcode: 'RV5 1YZ', born: '1993-02-27', status: 'placed', skills: ['youth', 'coaching'], causes: ['sport', 'families'], slots: ['wed-evening', 'sat-morning'], travel: 8, daysAgo: 140 },
  { name: 'Eleanor Price', postcode: 'RV9 2PQ', born: '1962-07-07', status: 'active', skills: ['admin', 'trustee', 'fundraising'], causes: ['heritage', 'community'], slots: weekdays('afternoon'), travel: 15, remote: true, daysAgo: 500 },
  { name: 'Sam Gallagher', postcode: 'RV6 2WX', born: '1990-11-11', status: 'inactive', skills: ['lifting', 'driving'], causes: ['housing'], slots: weekend, travel: 10, daysAgo: 800 },
  { name: 'Aisha Khan', postcode: 'RV10 1TU', born: '2008-09-03', status: 'new', skills: ['events', 'marketing'], causes: ['environment'], slots: ['sat-morning', 'sun-afternoon'], travel: 3, guardian: 'Rukhsana Khan', unconfirmed: true, daysAgo: 4 },
  { name: 'Peter Lindqvist', postcode: 'RV8 3RS', born: '1955-04-18', status: 'active', skills: ['gardening', 'computers'], causes: ['environment', 'older'], slots: ['mon-morning', 'wed-morning', 'fri-morning'], travel: 12, reserve: true, daysAgo: 330 },
  { name: 'Hannah Cohen', postcode: 'RV1 1AB', born: '1987-01-21', status: 'placed', skills: ['caring', 'befriending'], causes: ['mental_health', 'loneliness'], slots: ['thu-evening'], travel: 5, remote: true, daysAgo: 160 },
  { name: 'Mohammed Rahimi', postcode: 'RV4 3AD', born: '1997-06-09', status: 'active', skills: ['languages', 'driving'], causes: ['advice', 'crisis'], slots: ['sun-morning', 'sun-afternoon', 'sun-evening'], travel: 20, languages: ['English', 'Dari', 'Farsi'], reserve: true, daysAgo: 75 },
  { name: 'Lucy Marsh', postcode: 'RV7 1LN', born: '2002-02-14', status: 'new', skills: ['retail', 'catering'], causes: ['food', 'money'], slots: ['sat-morning'], travel: 4, via: 'staff', daysAgo: 9 },
  { name: 'George Adams', postcode: 'RV3 4BE', born: '1971-10-10', status: 'active', skills: ['finance', 'admin'], causes: ['money', 'advice'], slots: ['tue-afternoon', 'wed-afternoon'], travel: 8, remote: true, daysAgo: 260 },
  { name: 'Zofia Wiśniewska', postcode: 'RV2 4DE', born: '1980-03-03', status: 'active', skills: ['catering', 'events'], causes: ['food', 'faith'], slots: ['fri-evening', 'sat-afternoon'], travel: 6, languages: ['English', 'Polish'], daysAgo: 45 },
];

const ELLA = 'volunteer@riverside.example';

/**
 * The demo volunteers by name, for the seeds that run after this one (referrals, surge and vetting): the demo LIO has
 * one set of volunteers, whose status agrees with what the other parts give them (the placed ones have a placement).
 */
export interface SeededVolunteer { id: string; status: VolunteerStatus; email: string }
export type SeededVolunteers = ReadonlyMap<string, SeededVolunteer>;

/** One of the demo volunteers; a name this seed does not make is a mistake in the seed that asks. */
export function seededVolunteer(seeded: SeededVolunteers, name: string): SeededVolunteer {
  const found = seeded.get(name);
  if (!found) throw new Error(`The volunteers seed makes no volunteer called ${name}`);
  return found;
}

/** Where a demo postcode is (the directory's demo seed put it in the postcodes table): every demo volunteer is on the map. */
async function placeOf(tx: Queryable, postcode: string) {
  const found = await lookupPostcode(tx, compactPostcode(postcode)!);
  return found.status === 'found' ? { latitude: found.latitude, longitude: found.longitude } : { latitude: null, longitude: null };
}

/** The demo volunteers, their consents and first history entries, and Ella Nowak (the demo volunteer's account) with a full profile. */
export async function seedVolunteers(tx: Queryable, { lio, now }: DemoSeedContext): Promise<SeededVolunteers> {
  const seeded = new Map<string, SeededVolunteer>();
  const daysAgo = (n: number) => new Date(now.getTime() - n * 86_400_000);
  const ella = await tx.selectFrom('users').select('person_id').where('lio_id', '=', lio.id).where('email', '=', ELLA).executeTakeFirst();
  const everyone: (DemoVolunteer & { personId?: string; email: string })[] = VOLUNTEERS.map((v) => ({
    ...v, email: `${v.name.split(' ')[0]!.toLowerCase()}.${v.name.split(' ').at(-1)!.toLowerCase().replace(/[^a-z]/g, '')}@example.net`,
  }));
  if (ella?.person_id) {
    everyone.push({
      name: 'Ella Nowak', email: ELLA, personId: ella.person_id, postcode: 'RV1 3HJ', born: '1994-08-16', status: 'active', phone: '07700900872',
      skills: ['befriending', 'computers', 'events'], causes: ['loneliness', 'digital', 'older'], slots: ['tue-evening', 'thu-evening', 'sat-morning', 'sat-afternoon'],
      travel: 8, remote: true, reserve: true, languages: ['English', 'Polish'], interests: ['helping people get online', 'community events'], daysAgo: 200,
    });
  }
  for (const [i, v] of everyone.entries()) {
    const at = daysAgo(v.daysAgo);
    const place = await placeOf(tx, v.postcode);
    const phone = v.phone ?? `07700900${String(100 + i).padStart(3, '0')}`;
    let personId = v.personId;
    if (personId) {
      await tx.updateTable('people').set({ phones: [phone], postcode: v.postcode, date_of_birth: v.born, contact_methods: ['email', 'phone'] }).where('id', '=', personId).execute();
    } else {
      personId = (await tx.insertInto('people').values({
        lio_id: lio.id, full_name: v.name, emails: [v.email], phones: [phone], postcode: v.postcode, date_of_birth: v.born, contact_methods: ['email', 'phone'], created_at: at, updated_at: at,
      }).returning('id').executeTakeFirstOrThrow()).id;
    }
    const volunteer = await tx.insertInto('volunteers').values({
      lio_id: lio.id, person_id: personId, status: v.status, registered_via: v.via ?? 'online', travel_km: v.travel, ...place,
      in_person: true, remote: v.remote ?? false, skills: v.skills, interests: v.interests ?? [], causes: v.causes, languages: v.languages ?? ['English'],
      availability: AVAILABILITY_SLOTS.filter((s) => v.slots.includes(s)), access_needs: i % 7 === 3 ? 'Prefers written instructions; hard of hearing in noisy rooms.' : null,
      emergency_reserve: v.reserve ?? false, guardian_name: v.guardian ?? null, guardian_contact: v.guardian ? '07700900999' : null, guardian_consent_at: v.guardian ? at : null,
      email_confirmed_at: v.unconfirmed ? null : at, created_at: at, updated_at: at,
    }).returning('id').executeTakeFirstOrThrow();
    await tx.insertInto('consents').values([
      { lio_id: lio.id, person_id: personId, purpose: 'volunteer_record', given_at: at, method: v.via === 'staff' ? 'verbal' : 'online_form', wording_version: 'volunteer-registration-1', created_at: at },
      { lio_id: lio.id, person_id: personId, purpose: 'contact_about_volunteering', given_at: at, method: v.via === 'staff' ? 'verbal' : 'online_form', wording_version: 'volunteer-registration-1', created_at: at },
    ]).execute();
    await tx.insertInto('volunteer_events').values([
      { lio_id: lio.id, volunteer_id: volunteer.id, kind: 'registered', detail: v.via === 'staff' ? 'Registered by phone; consent given verbally' : 'Registered online', actor_label: 'The volunteer', at },
      ...(v.status !== 'new' ? [{ lio_id: lio.id, volunteer_id: volunteer.id, kind: 'status_changed', detail: `Status changed from New to ${v.status[0]!.toUpperCase()}${v.status.slice(1)}`, actor_label: 'Carys Evans', at: daysAgo(Math.max(0, v.daysAgo - 7)) }] : []),
    ]).execute();
    seeded.set(v.name, { id: volunteer.id, status: v.status, email: v.email });
  }
  return seeded;
}
