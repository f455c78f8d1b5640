import type { Queryable } from '../../platform/db/index.js';
import type { DemoSeedContext } from '../../platform/capability.js';
import type { DbsLevel, OpportunitySchedule, OpportunityStatus } from '../../platform/db/volunteering-schema.js';

interface DemoRole {
  org: string | null; title: string; description: string; skills: string[]; causes: string[]; schedule: OpportunitySchedule; detail: string;
  slots?: string[]; remote?: boolean; inPerson?: boolean; dbs?: DbsLevel; age?: number; places: number; closesInDays?: number | null; induction?: boolean;
  status: OpportunityStatus; reason?: string;
}

/** Roles in every state: Riverside Food Bank's waiting for approval (its group member sees them), published ones for the public listing. */
const ROLES: DemoRole[] = [
  { org: 'Riverside Food Bank', title: 'Food bank driver', description: 'Collect donations from supermarkets on Monday and Thursday mornings and bring them to the warehouse.\nYou need a full UK driving licence; we insure the van.', skills: ['driving', 'lifting'], causes: ['food', 'money'], schedule: 'regular', detail: 'Mondays and Thursdays, 9am to 12pm', slots: ['mon-morning', 'thu-morning'], places: 4, closesInDays: 45, status: 'published' },
  { org: 'Riverside Food Bank', title: 'Warehouse sorter', description: 'Check dates, sort and pack food parcels with a friendly team.', skills: ['lifting'], causes: ['food'], schedule: 'regular', detail: 'Wednesdays 1pm to 4pm', slots: ['wed-afternoon'], places: 6, closesInDays: null, status: 'published' },
  { org: 'Riverside Food Bank', title: 'Welcome host at the Market Street session', description: 'Greet people arriving at the food bank, make a cup of tea and listen. Training given.', skills: ['befriending'], causes: ['food', 'loneliness'], schedule: 'regular', detail: 'Fridays 10am to 1pm', slots: ['fri-morning'], dbs: 'basic', places: 3, closesInDays: 60, induction: true, status: 'pending' },
  { org: 'Riverside Food Bank', title: 'Social media helper', description: 'Write short posts about what the food bank needs each week, from home.', skills: ['marketing'], causes: ['food'], schedule: 'flexible', detail: 'About two hours a week, when it suits you', remote: true, inPerson: false, places: 1, closesInDays: 30, status: 'pending' },
  { org: 'Riverside Food Bank', title: 'Christmas hamper packer', description: 'Help pack and label Christmas hampers.', skills: ['lifting'], causes: ['food'], schedule: 'one_off', detail: 'Saturday 19 December, all day', slots: ['sat-morning', 'sat-afternoon'], places: 20, closesInDays: 10, status: 'rejected', reason: 'Please add the address of the hall you are using and whether under-18s can come with a parent.' },
  { org: 'Hillside Youth Project', title: 'Homework club tutor', description: 'Help young people aged 11 to 16 with maths and English homework after school.', skills: ['teaching', 'youth'], causes: ['families', 'learning'], schedule: 'regular', detail: 'Tuesdays and Thursdays, 4pm to 6pm', slots: ['tue-afternoon', 'thu-afternoon'], dbs: 'enhanced', age: 18, places: 5, closesInDays: 40, induction: true, status: 'published' },
  { org: 'Hillside Youth Project', title: 'Youth football coach', description: 'Coach an under-12s team on Saturday mornings. FA badge welcome but not needed.', skills: ['coaching', 'youth'], causes: ['sport', 'families'], schedule: 'regular', detail: 'Saturdays 9am to 11am', slots: ['sat-morning'], dbs: 'enhanced', age: 18, places: 2, closesInDays: 20, induction: true, status: 'published' },
  { org: null, title: 'Volunteer centre receptionist', description: 'Welcome visitors to the volunteer centre, answer the phone and help people find a role.', skills: ['admin', 'befriending'], causes: ['volunteering', 'community'], schedule: 'regular', detail: 'Weekday mornings, one or two a week', slots: ['mon-morning', 'tue-morning', 'wed-morning', 'thu-morning', 'fri-morning'], places: 4, closesInDays: null, induction: true, status: 'published' },
  { org: 'Get Online Riverside', title: 'Digital buddy (remote)', description: 'Help an older person learn to video call their family, by phone and video.', skills: ['computers', 'befriending'], causes: ['digital', 'older', 'loneliness'], schedule: 'flexible', detail: 'An hour a week, at a time you agree', remote: true, inPerson: false, dbs: 'basic', places: 10, closesInDays: 90, status: 'published' },
  { org: null, title: 'Trustee for a small charity', description: 'Several local groups are looking for trustees, especially with finance experience.', skills: ['trustee', 'finance'], causes: ['community'], schedule: 'regular', detail: 'An evening meeting every two months', slots: ['wed-evening'], remote: true, age: 18, places: 3, closesInDays: 75, status: 'published' },
  { org: 'Weavers Community Garden', title: 'Community litter pick marshal', description: 'Lead a group of volunteers on a spring litter pick along the canal.', skills: ['events', 'gardening'], causes: ['environment'], schedule: 'one_off', detail: 'Saturday morning, 10am to 1pm', slots: ['sat-morning'], places: 6, closesInDays: 5, status: 'published' },
  { org: null, title: 'Summer fun day helper', description: 'Run a stall at last summer’s fun day.', skills: ['events'], causes: ['community', 'families'], schedule: 'one_off', detail: 'Last August', slots: ['sat-afternoon'], places: 12, closesInDays: -100, status: 'closed' },
  { org: 'Riverside Food Bank', title: 'Fundraising events volunteer', description: 'Help plan a sponsored walk for the spring.', skills: ['fundraising', 'events'], causes: ['food'], schedule: 'flexible', detail: 'A few evenings before the event', slots: ['tue-evening'], places: 4, closesInDays: 50, status: 'draft' },
  { org: 'Hillside Youth Project', title: 'Residential trip helper', description: 'Join our staff on a weekend trip to the Peak District.', skills: ['youth'], causes: ['families'], schedule: 'one_off', detail: 'A weekend in May', slots: ['sat-morning', 'sat-afternoon', 'sun-morning'], dbs: 'enhanced', age: 21, places: 4, closesInDays: 35, induction: true, status: 'pending' },
  { org: null, title: 'Befriending phone caller', description: 'Call an older person for a chat once a week. Calls are made through our system so your number stays private.', skills: ['befriending'], causes: ['older', 'loneliness'], schedule: 'regular', detail: 'Half an hour a week', remote: true, inPerson: false, dbs: 'basic', places: 15, closesInDays: null, induction: true, status: 'published' },
];

const dayAfter = (now: Date, days: number) => new Date(now.getTime() + days * 86_400_000).toISOString().slice(0, 10);

/** The demo roles, each placed at its organisation's premises (the LIO's own at the community hub). */
export async function seedOpportunities(tx: Queryable, { lio, now }: DemoSeedContext): Promise<void> {
  const orgs = await tx.selectFrom('organisations').select(['id', 'name', 'postcode', 'latitude', 'longitude']).where('lio_id', '=', lio.id).execute();
  const byName = new Map(orgs.map((o) => [o.name, o]));
  const hub = byName.get('Riverside Food Bank') ?? orgs.find((o) => o.latitude !== null);
  const rows = ROLES.flatMap((r, i) => {
    const org = r.org ? byName.get(r.org) : undefined;
    if (r.org && !org) return [];
    const place = org ?? hub;
    const inPerson = r.inPerson ?? true;
    const placed = inPerson && place?.latitude != null && place.longitude != null;
    const created = new Date(now.getTime() - (20 + i * 3) * 86_400_000);
    return [{
      lio_id: lio.id, organisation_id: org?.id ?? null, title: r.title, description: r.description, skills: r.skills, causes: r.causes, schedule: r.schedule,
      schedule_detail: r.detail, availability: r.slots ?? [], in_person: placed, remote: r.remote ?? !placed, postcode: placed ? place!.postcode : null,
      latitude: placed ? place!.latitude : null, longitude: placed ? place!.longitude : null, dbs_level: r.dbs ?? 'none', minimum_age: r.age ?? 16, places: r.places,
      closing_on: r.closesInDays === null || r.closesInDays === undefined ? null : dayAfter(now, r.closesInDays), induction_required: r.induction ?? false,
      status: r.status, rejection_reason: r.reason ?? null, approved_at: r.status === 'published' || r.status === 'closed' ? created : null, created_at: created, updated_at: created,
    }];
  });
  if (rows.length) await tx.insertInto('opportunities').values(rows).execute();
}
