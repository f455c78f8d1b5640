import type { DbsLevel, OpportunitySchedule, OpportunityStatus, ReferralStatus, VolunteerStatus } from '../platform/db/volunteering-schema.js';

/** Words of volunteering, by code (stored) and label (shown); one place for forms, filters, matching and CSVs. */

export const SKILLS: Record<string, string> = {
  admin: 'Office and admin', befriending: 'Befriending and listening', caring: 'Care and support', catering: 'Cooking and catering',
  coaching: 'Coaching and mentoring', computers: 'Computers and digital', driving: 'Driving', events: 'Events',
  finance: 'Finance and bookkeeping', fundraising: 'Fundraising', gardening: 'Gardening and outdoors', languages: 'Languages and interpreting',
  lifting: 'Lifting and practical tasks', marketing: 'Marketing and social media', retail: 'Shop and retail', teaching: 'Teaching and tutoring',
  trustee: 'Trustee and governance', youth: 'Working with young people',
};

export const DAYS = { mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday', sun: 'Sunday' } as const;
export const DAY_PARTS = { morning: 'Morning', afternoon: 'Afternoon', evening: 'Evening' } as const;
/** Weekly availability slots, 'mon-morning' … 'sun-evening' (the check in migration 023 holds the same list). */
export const AVAILABILITY_SLOTS: readonly string[] = Object.keys(DAYS).flatMap((d) => Object.keys(DAY_PARTS).map((p) => `${d}-${p}`));
export function slotLabel(slot: string): string {
  const [day, part] = slot.split('-') as [keyof typeof DAYS, keyof typeof DAY_PARTS];
  return `${DAYS[day] ?? day} ${(DAY_PARTS[part] ?? part).toLowerCase()}`;
}

export const VOLUNTEER_STATUSES: Record<VolunteerStatus, string> = { new: 'New', active: 'Active', placed: 'Placed', inactive: 'Inactive' };
export const SCHEDULES: Record<OpportunitySchedule, string> = { one_off: 'One-off', regular: 'Regular', flexible: 'Flexible' };
/** DBS levels in order: a check at a level also covers the levels below it. */
export const DBS_LEVELS: Record<DbsLevel, string> = { none: 'No DBS check needed', basic: 'Basic DBS check', standard: 'Standard DBS check', enhanced: 'Enhanced DBS check' };
export const DBS_ORDER: readonly DbsLevel[] = ['none', 'basic', 'standard', 'enhanced'];
export const dbsCovers = (held: DbsLevel, needed: DbsLevel): boolean => DBS_ORDER.indexOf(held) >= DBS_ORDER.indexOf(needed);
export const OPPORTUNITY_STATUSES: Record<OpportunityStatus, string> = {
  draft: 'Draft', pending: 'Waiting for approval', published: 'Published', rejected: 'Not approved', closed: 'Closed',
};
export const REFERRAL_STATUSES: Record<ReferralStatus, string> = {
  enquired: 'Enquiry received', referred: 'Referred to the organisation', contacted: 'Contacted by the organisation', accepted: 'Accepted',
  declined: 'Declined', started: 'Started', ended: 'Ended', withdrawn: 'Withdrawn',
};
