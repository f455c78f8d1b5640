import { randomUUID } from 'node:crypto';
import type { Queryable } from '../platform/db/index.js';
import type { DeliveryMode, OrganisationType, ServiceStatus } from '../platform/db/directory-schema.js';
import { ensureDefaultTaxonomy } from './taxonomy/default-taxonomy.js';
import { codesOf, groupCode, themeCode } from './organisations/record.js';

/**
 * The demo LIO's directory: a believable, entirely FICTIONAL voluntary sector for the made-up town of Riverside.
 *
 * DEMO DATA ONLY. Every organisation, person, charity and company number, address and phone number is invented:
 *  - postcodes use the area "RV", which has the form of a real UK postcode (AA9 9AA / AA99 9AA) but is not a UK
 *    postcode area, so demo postcodes can never clash with an imported ONS Postcode Directory;
 *  - phone numbers are in Ofcom's ranges kept for drama (01632 960xxx, 0808 157 0xxx), e-mail and web addresses
 *    use the reserved .example domain;
 *  - the town centre is an arbitrary point in the English Midlands, chosen only so that a map has somewhere to be.
 * Dates are relative to the day the seed runs, so the "how services have changed" page always has a mix.
 */

const CENTRE = { lat: 53.0452, lng: -1.4823 };
const KM_LAT = 1 / 111.2;
const KM_LNG = 1 / (111.2 * Math.cos((CENTRE.lat * Math.PI) / 180));

interface Ward { name: string; district: string; east: number; north: number }
const WARDS: Record<string, Ward> = {
  central: { name: 'Riverside Central', district: 'RV1', east: 0, north: 0 },
  northgate: { name: 'Northgate', district: 'RV2', east: 0.4, north: 2.1 },
  eastfield: { name: 'Eastfield', district: 'RV3', east: 2.6, north: 0.3 },
  hillside: { name: 'Hillside', district: 'RV4', east: -1.9, north: 1.4 },
  canalside: { name: 'Canalside', district: 'RV5', east: 1.2, north: -1.1 },
  weavers: { name: 'Weavers', district: 'RV6', east: -1.1, north: -0.6 },
  southbank: { name: 'Southbank', district: 'RV7', east: 0.3, north: -2.4 },
  millbrook: { name: 'Millbrook', district: 'RV8', east: 3.4, north: -1.8 },
  oakwood: { name: 'Oakwood', district: 'RV9', east: -3.1, north: -1.7 },
  station: { name: 'Station Quarter', district: 'RV10', east: 0.9, north: 0.7 },
};
type WardKey = keyof typeof WARDS;
const ALL_WARDS = Object.values(WARDS).map((w) => w.name);

interface Place { name: string; address: string; ward: WardKey; inward: string; east: number; north: number; accessibility?: string }
/** Community venues used by several groups (held by no one organisation). */
const VENUES: Record<string, Place> = {
  hub: { name: 'Riverside Community Hub', address: '12 Market Street', ward: 'central', inward: '1AB', east: 0.1, north: 0.1, accessibility: 'Step-free entrance, lift to all floors, accessible toilet, hearing loop at reception.' },
  library: { name: 'Northgate Library', address: '3 Library Walk', ward: 'northgate', inward: '4DE', east: 0.1, north: -0.2, accessibility: 'Step-free entrance and accessible toilet. Quiet room on request.' },
  eastfieldcc: { name: 'Eastfield Community Centre', address: '40 Eastfield Road', ward: 'eastfield', inward: '2FG', east: -0.2, north: 0.1, accessibility: 'Ramp at the side entrance, accessible toilet, free parking.' },
  stanne: { name: 'St Anne’s Church Hall', address: 'Church Lane', ward: 'central', inward: '3HJ', east: -0.4, north: 0.3, accessibility: 'Two steps at the main door; ramp available. Accessible toilet.' },
  southbankcc: { name: 'Southbank Community Centre', address: '7 Riverside Parade', ward: 'southbank', inward: '1LN', east: 0.2, north: 0.2, accessibility: 'Fully step-free, accessible toilet and changing place.' },
  oakwoodchurch: { name: 'Oakwood Methodist Church', address: '15 Oakwood Avenue', ward: 'oakwood', inward: '2PQ', east: 0.1, north: 0.1, accessibility: 'Step-free via the car park entrance.' },
  millbrookhc: { name: 'Millbrook Health Centre', address: 'Millbrook Lane', ward: 'millbrook', inward: '3RS', east: -0.1, north: 0.2, accessibility: 'Step-free, accessible toilets, hearing loop.' },
  station: { name: 'Station Quarter Business Centre', address: '1 Station Approach', ward: 'station', inward: '1TU', east: 0, north: 0.1, accessibility: 'Lift to the first floor.' },
  weaverspark: { name: 'Weavers Park Pavilion', address: 'Weavers Park, Loom Street', ward: 'weavers', inward: '2WX', east: 0.2, north: -0.1, accessibility: 'Level access from the park path; accessible toilet.' },
  wharf: { name: 'Canal Wharf Workshops', address: 'Unit 4, Canal Wharf', ward: 'canalside', inward: '1YZ', east: -0.1, north: 0.1, accessibility: 'Ground floor workshop; uneven cobbles outside.' },
  hillsideyc: { name: 'Hillside Youth Centre', address: '22 Beacon Road', ward: 'hillside', inward: '3AD', east: 0.1, north: -0.1, accessibility: 'Step-free entrance and accessible toilet.' },
  gurdwara: { name: 'Riverside Gurdwara', address: '88 Mill Road', ward: 'eastfield', inward: '4BE', east: 0.4, north: -0.3, accessibility: 'Step-free, lift to the langar hall. Please cover your head; scarves provided.' },
  masjid: { name: 'Masjid Al-Noor Community Rooms', address: '5 Chapel Street', ward: 'station', inward: '2DF', east: -0.3, north: 0.2, accessibility: 'Step-free side entrance to the community rooms.' },
};

const M: Record<string, DeliveryMode> = { ip: 'in_person', ph: 'phone', on: 'online', hv: 'home_visit' };
const modes = (codes: string): DeliveryMode[] => codes.split(',').map((c) => M[c.trim()]!).filter(Boolean);

interface ServiceSpec {
  name: string;
  description: string;
  terms: string[];
  /** delivery modes now, as ip,ph,on,hv */
  modes: string;
  /** where: a shared venue key, 'own' for the organisation's premises, or none */
  at?: string | string[];
  /** weekly times: 'MO,WE 10:00-13:00; FR 14:00-16:00' (or 'MONTHLY 1SA 10:00-13:00') */
  when?: string;
  /** one-off sessions, days from the seed day: [days, '10:00-12:00', 'what happens'] */
  sessions?: [number, string, string][];
  costs?: [string, number | null][];
  fees?: string;
  ages?: [number | null, number | null];
  languages?: string[];
  areas?: string[];
  status?: ServiceStatus;
  /** days ago the service started (default some years) */
  started?: number;
  /** earlier delivery, oldest first: [days ago the change happened, modes then, status then] — the last state is the service now */
  history?: [number, string, ServiceStatus?][];
  phone?: string;
  email?: string;
  contact?: [string, string];
  /** when it charges although no cost option has an amount */
  free?: boolean;
}

interface OrgSpec {
  name: string;
  other?: string[];
  type: OrganisationType;
  charity?: string;
  company?: string;
  description: string;
  ward: WardKey;
  /** address line and inward code of the organisation's own premises (and so a postcode) */
  address: string;
  inward: string;
  ownVenue?: { name: string; accessibility?: string };
  slug: string;
  areas?: string[];
  themes: string[];
  groups?: string[];
  income: 'under_10k' | '10k_100k' | '100k_1m' | '1m_plus';
  staff: number;
  volunteers: number;
  membership?: 'member' | 'associate' | 'lapsed' | 'none';
  relationship?: 'none' | 'supported' | 'partner' | 'commissioned' | 'member' | 'funder';
  status?: 'active' | 'dormant' | 'closed';
  /** months since the listing was last verified */
  verified: number;
  services: ServiceSpec[];
}

let phoneSeq = 0;
const demoPhone = () => `01632 960${String(100 + (phoneSeq++ % 900)).padStart(3, '0')}`;

const ORGANISATIONS: OrgSpec[] = [
  {
    name: 'Riverside Food Bank', type: 'registered_charity', charity: '1160123', slug: 'riversidefoodbank', ward: 'central', address: 'Unit 2, Tannery Yard', inward: '5BD',
    description: 'Emergency food for people in crisis across Riverside, run by volunteers from local churches and community groups. We take referrals from advice agencies, GPs and schools, and signpost to debt and benefits advice.',
    themes: ['food', 'money'], groups: ['People on low incomes', 'Families'], income: '100k_1m', staff: 3, volunteers: 85, membership: 'member', relationship: 'supported', verified: 2,
    services: [
      { name: 'Riverside Food Bank – Market Street', description: 'Three days’ emergency food for you and your family. Bring a referral voucher from an advice agency, GP, school or the council; if you do not have one, come anyway and we will help you get one. Toiletries and pet food when we have them.', terms: ['food.food-bank', 'food.hygiene', 'crisis'], modes: 'ip', at: 'hub', when: 'MO,WE,FR 10:00-13:00', contact: ['Joanne Price', 'Food bank manager'] },
      { name: 'Food parcel delivery for people who cannot get out', description: 'Volunteers deliver food bank parcels to people who are housebound, disabled or self-isolating. Phone us with your referral and we will arrange a delivery within two working days.', terms: ['food.food-bank', 'older.help-at-home'], modes: 'ph,hv', when: 'TU,TH 10:00-15:00', started: 2150, history: [[2150, 'hv,ph']] },
      { name: 'Holiday Hunger Lunches', description: 'Free packed lunches and activity packs for families with children during the school holidays. No referral needed — just come along.', terms: ['families.holiday-activities', 'food.community-meals'], modes: 'ip', at: 'southbankcc', when: 'MO,WE 12:00-13:30', ages: [0, 16], started: 120 },
    ],
  },
  {
    name: 'Northgate Mutual Aid', type: 'mutual_aid', slug: 'northgatemutualaid', ward: 'northgate', address: '3 Library Walk', inward: '4DE',
    description: 'Neighbours helping neighbours in Northgate. Started in March 2020, we now run a community pantry and a shopping and prescriptions service with over 60 volunteers.',
    themes: ['food', 'crisis'], groups: ['Older people', 'Disabled people'], income: 'under_10k', staff: 0, volunteers: 64, membership: 'member', relationship: 'supported', verified: 5,
    services: [
      { name: 'Shopping and prescription collection', description: 'A local volunteer will do your food shop or pick up your prescription and bring it to your door. For anyone in Northgate who cannot get out. Call or text to ask.', terms: ['older.help-at-home', 'crisis.mutual-aid'], modes: 'ph,hv', when: 'MO,TU,WE,TH,FR 09:00-17:00', started: 2430, history: [[2430, 'ph,hv']], areas: ['Northgate'] },
      { name: 'Northgate Community Pantry', description: 'A members’ pantry: pay £3.50 a week and choose ten or more items, including fresh fruit and vegetables. Open to anyone living in Northgate.', terms: ['food.food-bank', 'food.household-essentials'], modes: 'ip', at: 'library', when: 'TH 14:00-17:00; SA 10:00-12:00', costs: [['Weekly membership', 3.5]], started: 300, areas: ['Northgate'] },
    ],
  },
  {
    name: 'St Anne’s Lunch Club', type: 'faith_group', slug: 'stanneslunchclub', ward: 'central', address: 'Church Lane', inward: '3HJ',
    description: 'A warm welcome and a two-course hot lunch every Tuesday for older people in Riverside, served by volunteers from St Anne’s Church.',
    themes: ['loneliness', 'older'], groups: ['Older people'], income: 'under_10k', staff: 0, volunteers: 18, membership: 'associate', relationship: 'supported', verified: 14,
    services: [
      { name: 'Tuesday Lunch Club', description: 'Hot two-course lunch, tea and a chat, with a quiz or music most weeks. Transport can be arranged with Riverside Community Transport.', terms: ['food.community-meals', 'loneliness', 'older.day-centres'], modes: 'ip', at: 'stanne', when: 'TU 12:00-14:00', costs: [['Two-course lunch', 4]], ages: [60, null], started: 3200, history: [[3200, 'ip'], [2440, 'hv', 'temporarily closed'], [1950, 'ip']] },
      { name: 'St Anne’s Warm Space', description: 'Somewhere warm to sit with free hot drinks, soup, newspapers and Wi-Fi. Everyone welcome, no questions asked.', terms: ['food.warm-spaces', 'loneliness'], modes: 'ip', at: 'stanne', when: 'WE,TH 10:00-15:00', started: 800 },
    ],
  },
  {
    name: 'Riverside Carers Network', type: 'cio', charity: '1178456', slug: 'riversidecarers', ward: 'station', address: 'Suite 5, Station Quarter Business Centre', inward: '1TU',
    description: 'Information, support and breaks for unpaid carers of all ages who look after a family member or friend in Riverside.',
    themes: ['health'], groups: ['Carers', 'Young people'], income: '100k_1m', staff: 9, volunteers: 30, membership: 'member', relationship: 'commissioned', verified: 3,
    services: [
      { name: 'Carers’ drop-in', description: 'Meet other carers, get advice about carer’s allowance and carers’ assessments, or just have an hour for yourself over a cup of tea.', terms: ['health.carers', 'loneliness.peer-support'], modes: 'ip', at: 'hub', when: 'MO 13:00-15:00', contact: ['Priya Shah', 'Carers support worker'] },
      { name: 'Carers’ support line', description: 'Talk to a carers support worker about anything to do with caring: benefits, breaks, work, and how you are coping.', terms: ['health.carers', 'advice.general'], modes: 'ph,on', when: 'MO,TU,WE,TH,FR 09:00-17:00', phone: '0808 157 0101', history: [[2600, 'ip'], [2420, 'ph,on']] },
      { name: 'Young Carers Club', description: 'Fun, friendship and a break from caring for young carers aged 8 to 17, with trips in the holidays.', terms: ['families.young-carers', 'health.carers'], modes: 'ip', at: 'hillsideyc', when: 'WE 17:00-19:00', ages: [8, 17] },
    ],
  },
  {
    name: 'Hillside Youth Project', type: 'company_limited_by_guarantee', charity: '1098765', company: '05678123', slug: 'hillsideyouth', ward: 'hillside', address: '22 Beacon Road', inward: '3AD',
    description: 'Youth work with young people aged 11 to 19 on the Hillside estate and across Riverside, since 1998.',
    themes: ['families'], groups: ['Young people'], income: '100k_1m', staff: 7, volunteers: 22, membership: 'member', relationship: 'partner', verified: 6,
    services: [
      { name: 'Hillside Youth Club', description: 'Open-access youth club with pool, games, cooking and a quiet room. Youth workers on hand for a chat about anything.', terms: ['families.youth'], modes: 'ip', at: 'hillsideyc', when: 'TU,TH 18:00-21:00', ages: [11, 19], costs: [['Per session', 0.5]], fees: '50p a session; no one is turned away.' },
      { name: 'Detached youth work', description: 'Youth workers out on the streets and in the parks of Hillside and Oakwood on Friday nights, meeting young people where they are.', terms: ['families.youth', 'safety.community-safety'], modes: 'ip', when: 'FR 19:00-22:00', ages: [11, 19], areas: ['Hillside', 'Oakwood'] },
      { name: 'Online youth mentoring', description: 'One-to-one mentoring by video call for young people who are struggling at school or at home.', terms: ['families.youth', 'health.mental-health'], modes: 'on,ph', ages: [13, 19], started: 200 },
    ],
  },
  {
    name: 'Weavers Community Garden', type: 'unincorporated', slug: 'weaversgarden', ward: 'weavers', address: 'Weavers Park, Loom Street', inward: '2WX',
    description: 'A community garden and orchard in Weavers Park, run by local residents. Everyone welcome, no experience needed.',
    themes: ['community', 'health'], income: 'under_10k', staff: 0, volunteers: 35, membership: 'member', relationship: 'supported', verified: 9,
    services: [
      { name: 'Garden volunteering days', description: 'Help grow fruit and vegetables, look after the orchard and meet new people. Tools, gloves and tea provided.', terms: ['community.green-spaces', 'employment.volunteering', 'health.physical-activity'], modes: 'ip', at: 'weaverspark', when: 'WE 10:00-13:00; SA 10:00-13:00' },
      { name: 'Grow your own on a budget', description: 'A six-week course on growing food in small spaces: pots, windowsills and allotments. Seeds and a starter kit to take home.', terms: ['community.green-spaces', 'health.healthy-eating', 'learning.adult-learning'], modes: 'ip', at: 'weaverspark', sessions: [[12, '18:00-20:00', 'Week 1: planning your space'], [19, '18:00-20:00', 'Week 2: seeds and seedlings']], started: 60 },
    ],
  },
  {
    name: 'Riverside Mind', type: 'registered_charity', charity: '1112233', company: '05512345', slug: 'riversidemind', ward: 'central', address: '18 Bridge Street', inward: '2GH',
    ownVenue: { name: 'Riverside Mind Wellbeing Centre', accessibility: 'Step-free ground floor with accessible toilet; counselling rooms upstairs (no lift).' },
    description: 'Local mental health charity offering drop-ins, peer support, counselling and wellbeing courses for adults in Riverside.',
    themes: ['health'], groups: ['People with mental health conditions'], income: '1m_plus', staff: 28, volunteers: 60, membership: 'member', relationship: 'commissioned', verified: 1,
    services: [
      { name: 'Wellbeing café', description: 'A friendly drop-in café for anyone who is finding things hard. Peer supporters and a wellbeing worker are always there.', terms: ['health.mental-health', 'loneliness.peer-support'], modes: 'ip', at: 'own', when: 'MO,WE,FR 10:00-14:00', history: [[2900, 'ip'], [2440, 'on'], [1900, 'ip,on'], [150, 'ip']] },
      { name: 'Low-cost counselling', description: 'Six to twelve sessions with a qualified counsellor, in person or by video. Fees on a sliding scale by income.', terms: ['health.mental-health'], modes: 'ip,on', at: 'own', when: 'MO,TU,WE,TH 09:00-20:00', costs: [['Per session, lowest income', 10], ['Per session, standard', 30]], fees: 'Sliding scale; ask about free places.', ages: [18, null] },
      { name: 'Hearing Voices peer group', description: 'A safe, confidential group for people who hear voices or have unusual experiences.', terms: ['health.mental-health', 'loneliness.peer-support'], modes: 'ip,on', at: 'own', when: 'TH 18:00-19:30', ages: [18, null], history: [[1500, 'ip'], [200, 'ip,on']] },
    ],
  },
  {
    name: 'Eastfield Tenants and Residents Association', type: 'unincorporated', slug: 'eastfieldtra', ward: 'eastfield', address: '40 Eastfield Road', inward: '2FG',
    description: 'Representing tenants and residents of the Eastfield estate, working with the council and housing association on repairs, safety and green spaces.',
    themes: ['community', 'housing'], income: 'under_10k', staff: 0, volunteers: 12, membership: 'member', relationship: 'supported', verified: 20,
    services: [
      { name: 'Residents’ surgery', description: 'Bring repairs problems, anti-social behaviour or neighbourhood ideas; we take them up with the landlord and the council.', terms: ['community.residents', 'housing.advice'], modes: 'ip,ph', at: 'eastfieldcc', when: 'MONTHLY 1MO 18:30-20:00', areas: ['Eastfield'] },
      { name: 'Eastfield litter pick', description: 'Monthly litter pick around the estate. Grabbers, bags and hi-vis provided; children welcome with an adult.', terms: ['community.environment', 'employment.volunteering'], modes: 'ip', at: 'eastfieldcc', when: 'MONTHLY 2SA 10:00-12:00', areas: ['Eastfield'] },
    ],
  },
  {
    name: 'Open Door Refugee Welcome', type: 'cio', charity: '1187654', slug: 'opendoorwelcome', ward: 'station', address: '5 Chapel Street', inward: '2DF',
    description: 'Welcome, friendship and practical help for refugees and people seeking asylum who have made Riverside their home.',
    themes: ['equalities', 'advice', 'learning'], groups: ['Refugees and asylum seekers'], income: '10k_100k', staff: 2, volunteers: 40, membership: 'member', relationship: 'supported', verified: 4,
    services: [
      { name: 'Welcome café', description: 'Hot food, English practice, children’s corner and advice from volunteers, every Thursday. Interpreters for Arabic, Farsi and Tigrinya.', terms: ['communities.refugees', 'food.community-meals', 'loneliness'], modes: 'ip', at: 'masjid', when: 'TH 11:00-14:00', languages: ['English', 'Arabic', 'Farsi', 'Tigrinya'] },
      { name: 'English conversation club', description: 'Informal English conversation practice for all levels, with volunteer tutors. Free, no need to book.', terms: ['learning.esol', 'communities.refugees'], modes: 'ip,on', at: 'library', when: 'TU 10:00-12:00', history: [[1700, 'on'], [900, 'ip,on']] },
      { name: 'Asylum and immigration advice', description: 'Appointments with an OISC-regulated adviser for people in the asylum process or with immigration questions.', terms: ['advice.immigration', 'communities.refugees'], modes: 'ip,ph', at: 'masjid', when: 'MO 10:00-16:00', languages: ['English', 'Arabic'], started: 90 },
    ],
  },
  {
    name: 'Canalside Men’s Shed', type: 'cio', charity: '1175321', slug: 'canalsideshed', ward: 'canalside', address: 'Unit 4, Canal Wharf', inward: '1YZ',
    description: 'A workshop where men (and women) come together to make, mend and talk, shoulder to shoulder.',
    themes: ['community', 'loneliness'], groups: ['Men', 'Older people'], income: 'under_10k', staff: 0, volunteers: 25, membership: 'member', relationship: 'supported', verified: 11,
    services: [
      { name: 'Shed sessions', description: 'Woodwork, metalwork and repairs with experienced volunteers, plus plenty of tea. Come and have a look first.', terms: ['community.mens-sheds', 'loneliness', 'health.mental-health'], modes: 'ip', at: 'wharf', when: 'TU,TH,SA 09:30-13:00', costs: [['Per session', 2]] },
      { name: 'Community bike workshop', description: 'Learn to fix your own bike, or pick up a refurbished one for a donation.', terms: ['transport.cycling', 'community.environment'], modes: 'ip', at: 'wharf', when: 'SA 13:30-16:00', fees: 'Donations welcome.', started: 250 },
    ],
  },
  {
    name: 'Riverside Citizens Advice', type: 'company_limited_by_guarantee', charity: '1076543', company: '03798765', slug: 'riversideca', ward: 'central', address: '10 Market Street', inward: '1AF',
    ownVenue: { name: 'Riverside Advice Centre', accessibility: 'Step-free, hearing loop, private interview rooms on the ground floor.' },
    description: 'Free, confidential, independent advice on benefits, debt, housing, employment, consumer and family problems.',
    themes: ['advice', 'money', 'housing'], income: '1m_plus', staff: 24, volunteers: 45, membership: 'member', relationship: 'commissioned', verified: 2,
    services: [
      { name: 'Advice line', description: 'Phone advice on benefits, debt, housing, work and consumer problems.', terms: ['advice.general', 'money.benefits', 'money.debt-advice'], modes: 'ph', when: 'MO,TU,WE,TH,FR 09:30-16:30', phone: '0808 157 0120', languages: ['English', 'Polish', 'Urdu'] },
      { name: 'Drop-in advice', description: 'See an adviser without an appointment. Arrive early on Mondays.', terms: ['advice.general', 'advice.form-filling'], modes: 'ip', at: 'own', when: 'MO,WE 09:30-12:30', history: [[3000, 'ip'], [2440, 'ph', 'temporarily closed'], [2000, 'ip']] },
      { name: 'Debt advice casework', description: 'A specialist debt caseworker will go through your money, deal with creditors and look at options such as debt relief orders.', terms: ['money.debt-advice', 'money.budgeting'], modes: 'ip,ph,on', at: 'own', when: 'TU,TH 09:30-16:30' },
      { name: 'Help to claim Universal Credit', description: 'Help to make and manage a Universal Credit claim online, from the first application to the first payment.', terms: ['money.benefits', 'learning.digital-skills'], modes: 'ph,on', when: 'MO,TU,WE,TH,FR 09:00-17:00', history: [[1200, 'ip,ph'], [100, 'ph,on']] },
    ],
  },
  {
    name: 'Riverside Credit Union', type: 'social_enterprise', slug: 'riversidecu', ward: 'central', address: '26 Market Street', inward: '1AG',
    description: 'Savings accounts and affordable loans for people who live or work in Riverside. Owned by our members.',
    themes: ['money'], income: '100k_1m', staff: 6, volunteers: 10, membership: 'associate', relationship: 'partner', verified: 7,
    services: [
      { name: 'Savings and affordable loans', description: 'Save from £1 a week; borrow at fair rates, including small loans as an alternative to doorstep lenders.', terms: ['money.affordable-credit', 'money.budgeting'], modes: 'ip,on,ph', at: 'own', when: 'MO,TU,TH,FR 10:00-15:00', fees: 'Interest on loans from 12.7% APR.', free: false },
    ],
  },
  {
    name: 'Age Friendly Riverside', type: 'registered_charity', charity: '1123987', company: '06543210', slug: 'agefriendly', ward: 'southbank', address: '7 Riverside Parade', inward: '1LN',
    description: 'Helping older people in Riverside live well: day opportunities, befriending, help at home and information.',
    themes: ['older', 'loneliness'], groups: ['Older people'], income: '1m_plus', staff: 35, volunteers: 120, membership: 'member', relationship: 'commissioned', verified: 3,
    services: [
      { name: 'Southbank Day Centre', description: 'Activities, exercise, a hot lunch and a bath service for older people, with transport for those who need it.', terms: ['older.day-centres', 'food.community-meals'], modes: 'ip', at: 'southbankcc', when: 'MO,WE,FR 10:00-15:00', costs: [['Day including lunch', 15], ['Transport each way', 2.5]], ages: [65, null], history: [[4000, 'ip'], [2440, 'ph', 'temporarily closed'], [1850, 'ip']] },
      { name: 'Telephone friends', description: 'A weekly friendly phone call from the same volunteer, for older people who are lonely or isolated.', terms: ['loneliness.telephone-befriending'], modes: 'ph', when: 'MO,TU,WE,TH,FR 10:00-16:00', ages: [60, null], started: 2420 },
      { name: 'Home from hospital', description: 'Up to six weeks of practical support after a hospital stay: shopping, prescriptions, settling in and checking in.', terms: ['older.home-from-hospital', 'older.help-at-home'], modes: 'hv,ph', ages: [55, null] },
      { name: 'Tech for seniors', description: 'Patient one-to-one help with smartphones, tablets, video calls and online shopping.', terms: ['learning.digital-skills', 'older'], modes: 'ip,hv', at: 'library', when: 'FR 10:00-12:00', ages: [60, null], started: 150 },
    ],
  },
  {
    name: 'Forget-Me-Not Memory Café', type: 'unincorporated', slug: 'forgetmenot', ward: 'oakwood', address: '15 Oakwood Avenue', inward: '2PQ',
    description: 'A monthly café for people living with dementia and the people who care for them.',
    themes: ['older', 'health'], groups: ['People living with dementia', 'Carers'], income: 'under_10k', staff: 0, volunteers: 9, membership: 'none', relationship: 'supported', verified: 16,
    services: [
      { name: 'Memory café', description: 'Music, reminiscence and a relaxed cuppa, with a dementia adviser to answer questions.', terms: ['older.dementia', 'health.carers'], modes: 'ip', at: 'oakwoodchurch', when: 'MONTHLY 3WE 14:00-16:00', fees: 'Donations welcome.' },
    ],
  },
  {
    name: 'Riverside Women’s Aid', type: 'registered_charity', charity: '1065432', company: '03345678', slug: 'riversidewa', ward: 'central', address: 'PO Box 101', inward: '9ZZ',
    description: 'Support, safe accommodation and advocacy for women and children experiencing domestic abuse. Our address is confidential.',
    themes: ['crisis', 'equalities'], groups: ['Women', 'Children'], income: '1m_plus', staff: 30, volunteers: 15, membership: 'member', relationship: 'commissioned', verified: 1,
    services: [
      { name: 'Domestic abuse helpline', description: 'Confidential support and safety planning for anyone affected by domestic abuse. If you are in danger call 999.', terms: ['crisis.domestic-abuse'], modes: 'ph,on', when: 'MO,TU,WE,TH,FR,SA,SU 08:00-20:00', phone: '0808 157 0130', languages: ['English', 'Urdu', 'Punjabi', 'Polish'] },
      { name: 'Outreach and court support', description: 'An independent domestic violence adviser works with you in the community and supports you at court.', terms: ['crisis.domestic-abuse', 'advice.advocacy'], modes: 'ip,ph,hv' },
      { name: 'Refuge', description: 'Safe, confidential accommodation for women and their children fleeing abuse. Referrals through the helpline.', terms: ['crisis.domestic-abuse', 'crisis.emergency-accommodation'], modes: 'ip', ages: [16, null] },
    ],
  },
  {
    name: 'Riverside Listening Line', type: 'registered_charity', charity: '1089012', slug: 'listeningline', ward: 'station', address: 'PO Box 202', inward: '9ZY',
    description: 'Trained volunteers listen, day or night, to anyone who is struggling to cope. We do not judge or tell you what to do.',
    themes: ['crisis', 'health'], income: '10k_100k', staff: 1, volunteers: 70, membership: 'member', relationship: 'supported', verified: 8,
    services: [
      { name: 'Listening line', description: 'Someone to talk to, any time of the day or night, in confidence.', terms: ['crisis.listening', 'crisis.suicide-prevention', 'health.mental-health'], modes: 'ph,on', when: 'MO,TU,WE,TH,FR,SA,SU 00:00-23:59', phone: '0808 157 0140' },
    ],
  },
  {
    name: 'Riverside Community Transport', type: 'cio', charity: '1145678', slug: 'riversidect', ward: 'canalside', address: 'Depot, Canal Road', inward: '3BA',
    description: 'Accessible transport for people who find it hard to use buses: dial-a-ride, group minibus hire and volunteer car scheme.',
    themes: ['transport'], groups: ['Disabled people', 'Older people'], income: '100k_1m', staff: 8, volunteers: 40, membership: 'member', relationship: 'commissioned', verified: 5,
    services: [
      { name: 'Dial-a-ride', description: 'Door-to-door accessible minibus for shopping, appointments and visits within Riverside. Book by phone a day ahead.', terms: ['transport.door-to-door', 'health.disability'], modes: 'ph,hv', when: 'MO,TU,WE,TH,FR 09:00-16:00', costs: [['Single journey', 2.5], ['Return journey', 4]], phone: '01632 960555' },
      { name: 'Volunteer car scheme', description: 'Volunteer drivers take you to health appointments, including hospital outpatients.', terms: ['transport.medical-appointments'], modes: 'ph,hv', costs: [['Per mile', 0.45]], fees: 'You pay the driver’s mileage.' },
      { name: 'Minibus hire for groups', description: 'Accessible minibuses for voluntary groups, with or without a driver.', terms: ['transport.community-transport'], modes: 'ph,ip', at: 'own', costs: [['Per day with driver', 95]] },
    ],
  },
  {
    name: 'Riverside Health Walks', type: 'unincorporated', slug: 'healthwalks', ward: 'weavers', address: 'Weavers Park Pavilion', inward: '2WX',
    description: 'Free, friendly, short walks led by trained volunteers, for people who want to get a bit more active.',
    themes: ['health'], income: 'under_10k', staff: 0, volunteers: 16, membership: 'associate', relationship: 'supported', verified: 10,
    services: [
      { name: 'Health walks', description: 'Gentle walks of 30 to 60 minutes on flat paths, finishing with a cuppa.', terms: ['health.physical-activity', 'loneliness'], modes: 'ip', at: 'weaverspark', when: 'TU 10:30-11:30; FR 10:30-11:30' },
      { name: 'Walking football for over-50s', description: 'Football at walking pace: no running, no slide tackles, all abilities.', terms: ['health.physical-activity', 'community.sport'], modes: 'ip', at: 'weaverspark', when: 'WE 14:00-15:30', ages: [50, null], costs: [['Per session', 3]], started: 330 },
    ],
  },
  {
    name: 'Millbrook Baby Bank', type: 'unincorporated', slug: 'millbrookbabybank', ward: 'millbrook', address: 'Millbrook Lane', inward: '3RS',
    description: 'Clothes, equipment and essentials for babies and children up to five, passed on from family to family.',
    themes: ['families', 'food'], groups: ['Families'], income: 'under_10k', staff: 0, volunteers: 20, membership: 'member', relationship: 'supported', verified: 6,
    services: [
      { name: 'Baby bank', description: 'Clothes, nappies, prams, cots and toys for families who need them, by referral from a health visitor, midwife or support worker.', terms: ['food.baby-bank', 'families.family-support'], modes: 'ip', at: 'millbrookhc', when: 'TH 10:00-13:00', ages: [0, 5] },
    ],
  },
  {
    name: 'Get Online Riverside', type: 'cic', company: '12345678', slug: 'getonline', ward: 'station', address: '1 Station Approach', inward: '1TU',
    description: 'A community interest company getting everyone in Riverside online: devices, data and help to use them.',
    themes: ['learning'], income: '10k_100k', staff: 3, volunteers: 18, membership: 'member', relationship: 'partner', verified: 4,
    services: [
      { name: 'Digital drop-in', description: 'Bring your phone, tablet or laptop and get help with anything from email to online banking.', terms: ['learning.digital-skills'], modes: 'ip', at: ['library', 'eastfieldcc'], when: 'MO 14:00-16:00; WE 10:00-12:00' },
      { name: 'Device and data bank', description: 'Refurbished laptops and tablets and free SIM cards with data for people who cannot afford them. Referral needed.', terms: ['learning.devices-data'], modes: 'ip,ph', at: 'station', when: 'TU 10:00-14:00', started: 1600 },
      { name: 'Online safety workshops', description: 'Short workshops on spotting scams and keeping safe online.', terms: ['learning.digital-skills', 'advice.consumer'], modes: 'ip,on', at: 'hub', sessions: [[9, '10:00-11:30', 'Spotting scams'], [23, '10:00-11:30', 'Safe online shopping']], started: 45 },
    ],
  },
  {
    name: 'Riverside Adult Learning Collective', type: 'cio', charity: '1190234', slug: 'adultlearning', ward: 'eastfield', address: '40 Eastfield Road', inward: '2FG',
    description: 'Friendly community classes for adults: English, maths, cooking and confidence.',
    themes: ['learning'], income: '10k_100k', staff: 4, volunteers: 12, membership: 'member', relationship: 'supported', verified: 12,
    services: [
      { name: 'English and maths for adults', description: 'Small classes to brush up your reading, writing and maths, at your own pace, with a qualification if you want one.', terms: ['learning.literacy-numeracy', 'learning.adult-learning'], modes: 'ip', at: 'eastfieldcc', when: 'TU,TH 13:00-15:00', ages: [19, null] },
      { name: 'Cooking on a budget', description: 'Learn to cook healthy meals for under £1 a portion, and take home what you make.', terms: ['health.healthy-eating', 'food', 'learning.adult-learning'], modes: 'ip', at: 'eastfieldcc', when: 'WE 10:00-12:30', started: 280 },
    ],
  },
  {
    name: 'Riverside Works', type: 'registered_charity', charity: '1156001', slug: 'riversideworks', ward: 'station', address: '1 Station Approach', inward: '1TU',
    description: 'Helping people in Riverside into work, training and volunteering.',
    themes: ['employment'], income: '100k_1m', staff: 11, volunteers: 8, membership: 'member', relationship: 'commissioned', verified: 3,
    services: [
      { name: 'Job club', description: 'Job search, CVs and applications with an employment coach. Computers available.', terms: ['employment.job-support'], modes: 'ip,on', at: 'station', when: 'MO,WE 09:30-12:30', ages: [16, null], history: [[2000, 'ip'], [1500, 'on'], [600, 'ip,on']] },
      { name: 'Work placements', description: 'Paid six-month placements with local employers for people who have been out of work for a long time.', terms: ['employment.training'], modes: 'ip', at: 'station', ages: [18, null] },
    ],
  },
  {
    name: 'Station Quarter Enterprise Hub', type: 'cic', company: '11223344', slug: 'enterprisehub', ward: 'station', address: '1 Station Approach', inward: '1TU',
    description: 'Support and low-cost workspace for people starting a business or social enterprise.',
    themes: ['employment'], income: '10k_100k', staff: 2, volunteers: 5, membership: 'associate', relationship: 'none', verified: 18,
    services: [
      { name: 'Start-up surgeries', description: 'One-hour sessions with a business adviser on planning, money and getting started.', terms: ['employment.self-employment'], modes: 'ip,on', at: 'station', when: 'TH 10:00-16:00' },
    ],
  },
  {
    name: 'Harbour House', type: 'registered_charity', charity: '1134567', company: '07012345', slug: 'harbourhouse', ward: 'canalside', address: '2 Ferry Lane', inward: '2AE',
    ownVenue: { name: 'Harbour House Day Centre', accessibility: 'Step-free; showers and laundry on the ground floor.' },
    description: 'Day centre and outreach for people who are homeless or at risk of losing their home in Riverside.',
    themes: ['housing', 'crisis'], groups: ['People who are homeless'], income: '1m_plus', staff: 22, volunteers: 50, membership: 'member', relationship: 'commissioned', verified: 2,
    services: [
      { name: 'Harbour House day centre', description: 'Breakfast, showers, laundry, a postal address, and housing and benefits advice for people who are homeless.', terms: ['housing.homelessness', 'food.community-meals', 'food.hygiene'], modes: 'ip', at: 'own', when: 'MO,TU,WE,TH,FR 08:30-13:00' },
      { name: 'Street outreach', description: 'Outreach workers meet people sleeping rough early each morning and help them into accommodation.', terms: ['housing.homelessness', 'crisis.emergency-accommodation'], modes: 'ip', when: 'MO,TU,WE,TH,FR,SA,SU 06:00-09:00' },
      { name: 'Tenancy sustainment', description: 'A support worker helps you set up home, manage bills and keep your tenancy.', terms: ['housing.tenancy-support', 'money.budgeting'], modes: 'hv,ph', history: [[1800, 'hv'], [300, 'hv,ph']] },
    ],
  },
  {
    name: 'Riverside Law Centre', type: 'company_limited_by_guarantee', charity: '1109876', company: '04567890', slug: 'lawcentre', ward: 'central', address: '8 Court Street', inward: '4AL',
    description: 'Free legal advice and representation on housing, employment, welfare benefits and discrimination.',
    themes: ['advice', 'housing'], income: '100k_1m', staff: 9, volunteers: 14, membership: 'member', relationship: 'partner', verified: 5,
    services: [
      { name: 'Housing law advice', description: 'Advice and representation if you face eviction, disrepair or homelessness.', terms: ['housing.advice', 'advice.legal'], modes: 'ip,ph', at: 'own', when: 'TU,TH 10:00-16:00' },
      { name: 'Employment law clinic', description: 'Free evening clinic with volunteer solicitors on problems at work.', terms: ['advice.legal', 'employment'], modes: 'ip,on', at: 'own', when: 'WE 18:00-20:00', history: [[1400, 'ip'], [180, 'ip,on']] },
    ],
  },
  {
    name: 'Riverside Advocacy', type: 'cio', charity: '1167890', slug: 'riversideadvocacy', ward: 'millbrook', address: '14 Millbrook Road', inward: '1AR',
    description: 'Independent advocacy so that people’s voices are heard in decisions about their care, health and lives.',
    themes: ['advice', 'health'], groups: ['Disabled people', 'People with learning disabilities'], income: '100k_1m', staff: 12, volunteers: 6, membership: 'member', relationship: 'commissioned', verified: 4,
    services: [
      { name: 'Care Act advocacy', description: 'An independent advocate supports you through care assessments, reviews and safeguarding.', terms: ['advice.advocacy', 'health.disability'], modes: 'ip,ph,hv', ages: [18, null] },
      { name: 'Speak Up self-advocacy group', description: 'A group run by and for people with learning disabilities to speak up about things that matter.', terms: ['advice.advocacy', 'loneliness.peer-support', 'health.disability'], modes: 'ip', at: 'hub', when: 'MONTHLY 2TH 13:00-15:00' },
    ],
  },
  {
    name: 'Riverside Deaf Club', type: 'unincorporated', slug: 'deafclub', ward: 'central', address: '12 Market Street', inward: '1AB',
    description: 'A social club for Deaf people and BSL users, and BSL classes for everyone.',
    themes: ['equalities', 'loneliness'], groups: ['Deaf people'], income: 'under_10k', staff: 0, volunteers: 8, membership: 'associate', relationship: 'supported', verified: 13,
    services: [
      { name: 'Deaf social club', description: 'Social evening for Deaf people and BSL users, with games, news and guest speakers.', terms: ['health.disability', 'loneliness'], modes: 'ip', at: 'hub', when: 'FR 18:30-21:00', languages: ['British Sign Language'] },
      { name: 'Beginners’ BSL', description: 'Ten-week beginners’ British Sign Language course taught by Deaf tutors.', terms: ['learning.adult-learning'], modes: 'ip,on', at: 'hub', when: 'MO 18:30-20:30', costs: [['Ten-week course', 50]], languages: ['British Sign Language'], started: 400, history: [[400, 'ip'], [30, 'ip,on']] },
    ],
  },
  {
    name: 'Riverside Disability Forum', type: 'cio', charity: '1171234', slug: 'disabilityforum', ward: 'southbank', address: '7 Riverside Parade', inward: '1LN',
    description: 'Run by disabled people for disabled people: peer support, information and a voice with the council.',
    themes: ['health', 'advice'], groups: ['Disabled people'], income: '10k_100k', staff: 1, volunteers: 20, membership: 'member', relationship: 'partner', verified: 7,
    services: [
      { name: 'Disability peer support', description: 'A relaxed monthly group to share experience and information about services, benefits and rights.', terms: ['health.disability', 'loneliness.peer-support'], modes: 'ip,on', at: 'southbankcc', when: 'MONTHLY 1TU 13:30-15:30' },
      { name: 'Inclusive sports sessions', description: 'Boccia, seated volleyball and table tennis for disabled and non-disabled people together.', terms: ['health.physical-activity', 'health.disability', 'community.sport'], modes: 'ip', at: 'southbankcc', when: 'SA 10:00-12:00', costs: [['Per session', 2]] },
    ],
  },
  {
    name: 'Oakwood Methodist Church', type: 'faith_group', charity: '1131313', slug: 'oakwoodmethodist', ward: 'oakwood', address: '15 Oakwood Avenue', inward: '2PQ',
    description: 'A church at the heart of Oakwood with a busy programme of community activities open to all.',
    themes: ['community', 'families'], income: '10k_100k', staff: 1, volunteers: 30, membership: 'associate', relationship: 'none', verified: 22,
    services: [
      { name: 'Oakwood toddler group', description: 'Play, songs and snacks for babies and toddlers with their parents and carers.', terms: ['families.early-years'], modes: 'ip', at: 'oakwoodchurch', when: 'WE 09:30-11:30', ages: [0, 4], costs: [['Per family', 1.5]] },
      { name: 'Oakwood warm welcome', description: 'Soup, warmth and company every winter weekday afternoon.', terms: ['food.warm-spaces', 'loneliness'], modes: 'ip', at: 'oakwoodchurch', when: 'MO,TU,WE,TH,FR 13:00-16:00', status: 'temporarily closed', history: [[700, 'ip', 'active'], [40, 'ip', 'temporarily closed']] },
    ],
  },
  {
    name: 'Masjid Al-Noor Riverside', type: 'faith_group', charity: '1156789', slug: 'masjidalnoor', ward: 'station', address: '5 Chapel Street', inward: '2DF',
    description: 'Mosque and community centre serving Muslims and the wider community in Riverside.',
    themes: ['community', 'food'], groups: ['Muslim communities'], income: '100k_1m', staff: 3, volunteers: 40, membership: 'associate', relationship: 'partner', verified: 9,
    services: [
      { name: 'Community kitchen', description: 'Free hot meals for anyone in need, every Friday after prayers. All welcome.', terms: ['food.community-meals'], modes: 'ip', at: 'masjid', when: 'FR 14:00-16:00', languages: ['English', 'Urdu', 'Arabic'] },
      { name: 'Women’s wellbeing group', description: 'A women-only space for exercise, health talks and friendship.', terms: ['communities.women', 'health.physical-activity'], modes: 'ip', at: 'masjid', when: 'TU 10:00-12:00', languages: ['English', 'Urdu', 'Bengali'] },
    ],
  },
  {
    name: 'Riverside Gurdwara', type: 'faith_group', charity: '1140987', slug: 'riversidegurdwara', ward: 'eastfield', address: '88 Mill Road', inward: '4BE',
    description: 'Sikh gurdwara offering langar, a free vegetarian meal, to everyone every day.',
    themes: ['food', 'community'], income: '100k_1m', staff: 2, volunteers: 60, membership: 'none', relationship: 'none', verified: 15,
    services: [
      { name: 'Langar (free community meal)', description: 'A free vegetarian meal served to everyone, whatever their faith or background.', terms: ['food.community-meals', 'community.faith'], modes: 'ip', at: 'gurdwara', when: 'MO,TU,WE,TH,FR,SA,SU 12:00-14:00', languages: ['English', 'Punjabi'] },
    ],
  },
  {
    name: 'Riverside Pride', type: 'cic', company: '13579246', slug: 'riversidepride', ward: 'central', address: '12 Market Street', inward: '1AB',
    description: 'Social groups, support and the annual Pride festival for LGBTQ+ people in Riverside.',
    themes: ['equalities'], groups: ['LGBTQ+ people'], income: 'under_10k', staff: 0, volunteers: 25, membership: 'member', relationship: 'supported', verified: 6,
    services: [
      { name: 'LGBTQ+ social', description: 'A relaxed monthly social in a café, alcohol-free.', terms: ['communities.lgbtq', 'loneliness'], modes: 'ip', at: 'hub', when: 'MONTHLY 4TH 19:00-21:00', ages: [18, null] },
      { name: 'Rainbow youth group', description: 'A safe space for LGBTQ+ young people aged 13 to 18, with trained youth workers.', terms: ['communities.lgbtq', 'families.youth'], modes: 'ip,on', at: 'hillsideyc', when: 'MO 17:00-19:00', ages: [13, 18], started: 100 },
    ],
  },
  {
    name: 'Riverside African-Caribbean Association', type: 'registered_charity', charity: '1054321', slug: 'raca', ward: 'eastfield', address: '40 Eastfield Road', inward: '2FG',
    description: 'A community organisation for African and Caribbean communities in Riverside since 1978.',
    themes: ['equalities', 'older', 'families'], groups: ['Black communities'], income: '10k_100k', staff: 2, volunteers: 22, membership: 'member', relationship: 'supported', verified: 10,
    services: [
      { name: 'Elders’ lunch and dominoes', description: 'Caribbean lunch, dominoes and health checks for elders.', terms: ['communities.ethnic-minority', 'food.community-meals', 'older.day-centres'], modes: 'ip', at: 'eastfieldcc', when: 'TH 12:00-15:00', costs: [['Lunch', 3]], ages: [60, null] },
      { name: 'Saturday supplementary school', description: 'Maths, English and Black history for children aged 6 to 14.', terms: ['communities.ethnic-minority', 'families'], modes: 'ip', at: 'eastfieldcc', when: 'SA 10:00-13:00', ages: [6, 14], costs: [['Per term', 20]] },
    ],
  },
  {
    name: 'Polish Community Riverside', type: 'unincorporated', slug: 'polishcommunity', ward: 'canalside', address: '2 Ferry Lane', inward: '2AE',
    other: ['Polska Wspólnota Riverside'],
    description: 'Advice, Saturday school and cultural events for the Polish community.',
    themes: ['equalities', 'advice'], groups: ['Eastern European communities'], income: 'under_10k', staff: 0, volunteers: 14, membership: 'none', relationship: 'none', verified: 26,
    services: [
      { name: 'Advice in Polish', description: 'Help with letters, forms, benefits and settled status, in Polish.', terms: ['advice.general', 'advice.form-filling'], modes: 'ip,ph', at: 'library', when: 'SA 10:00-12:00', languages: ['Polish', 'English'] },
    ],
  },
  {
    name: 'Riverside Veterans’ Breakfast Club', type: 'unincorporated', slug: 'veteransbreakfast', ward: 'station', address: '1 Station Approach', inward: '1TU',
    description: 'Breakfast and a brew for armed forces veterans and their families.',
    themes: ['equalities', 'loneliness'], groups: ['Veterans'], income: 'under_10k', staff: 0, volunteers: 6, membership: 'none', relationship: 'none', verified: 30,
    services: [
      { name: 'Veterans’ breakfast club', description: 'Monthly breakfast for veterans of any service, young or old, and their families.', terms: ['communities.veterans', 'loneliness'], modes: 'ip', at: 'station', when: 'MONTHLY 1SA 09:00-11:00', fees: 'Pay for your own breakfast.' },
    ],
  },
  {
    name: 'Southbank Community Centre Association', type: 'cio', charity: '1149876', slug: 'southbankcca', ward: 'southbank', address: '7 Riverside Parade', inward: '1LN',
    description: 'Runs Southbank Community Centre: activities for all ages and rooms to hire.',
    themes: ['community', 'health'], income: '10k_100k', staff: 2, volunteers: 15, membership: 'member', relationship: 'supported', verified: 8,
    services: [
      { name: 'Chair-based exercise', description: 'Gentle exercise to music, seated, for people with limited mobility.', terms: ['health.physical-activity', 'older'], modes: 'ip,on', at: 'southbankcc', when: 'TU 11:00-12:00', costs: [['Per class', 3]], history: [[1500, 'on'], [800, 'ip,on']] },
      { name: 'Room hire for community groups', description: 'Rooms for 10 to 120 people with a kitchen, at reduced rates for voluntary groups.', terms: ['community.centres'], modes: 'ip', at: 'southbankcc', when: 'MO,TU,WE,TH,FR 09:00-22:00', costs: [['Per hour, voluntary groups', 12]] },
      { name: 'Southbank warm space', description: 'A warm room with hot drinks, games and Wi-Fi on winter weekdays.', terms: ['food.warm-spaces'], modes: 'ip', at: 'southbankcc', when: 'MO,TU,WE,TH,FR 10:00-16:00', started: 75 },
    ],
  },
  {
    name: 'Riverside Repair Café', type: 'unincorporated', slug: 'repaircafe', ward: 'canalside', address: 'Unit 4, Canal Wharf', inward: '1YZ',
    description: 'Volunteer fixers mend your broken things for free, and show you how.',
    themes: ['community'], income: 'under_10k', staff: 0, volunteers: 12, membership: 'none', relationship: 'supported', verified: 11,
    services: [
      { name: 'Repair café', description: 'Bring small electricals, clothes, bikes and toys to be fixed by volunteer repairers.', terms: ['community.environment', 'food.household-essentials'], modes: 'ip', at: 'wharf', when: 'MONTHLY 3SA 10:00-13:00', fees: 'Free; donations welcome.' },
    ],
  },
  {
    name: 'Warm Homes Riverside', type: 'cic', company: '10987654', slug: 'warmhomes', ward: 'millbrook', address: '14 Millbrook Road', inward: '1AR',
    description: 'Energy advice and practical help to keep homes warm for less.',
    themes: ['food', 'housing', 'money'], income: '100k_1m', staff: 6, volunteers: 4, membership: 'member', relationship: 'commissioned', verified: 3,
    services: [
      { name: 'Energy advice line', description: 'Help with energy bills, debts to suppliers, switching tariffs and grants for insulation.', terms: ['food.fuel-energy', 'money.debt-advice'], modes: 'ph,on', when: 'MO,TU,WE,TH,FR 09:00-17:00', phone: '0808 157 0150', history: [[1100, 'ph'], [160, 'ph,on']] },
      { name: 'Home energy visits', description: 'An adviser visits to check your heating, fit draught-proofing and small energy-saving measures for free.', terms: ['food.fuel-energy', 'housing.repairs-adaptations'], modes: 'hv' },
      { name: 'Emergency fuel vouchers', description: 'Pre-payment meter top-up vouchers for households at risk of going without heat. Referral needed.', terms: ['food.fuel-energy', 'money.grants', 'crisis'], modes: 'ph', started: 20 },
    ],
  },
  {
    name: 'Riverside Recovery Network', type: 'cio', charity: '1182345', slug: 'recoverynetwork', ward: 'central', address: '18 Bridge Street', inward: '2GH',
    description: 'Peer-led support for people in recovery from drugs and alcohol, and their families.',
    themes: ['health'], groups: ['People in recovery'], income: '10k_100k', staff: 3, volunteers: 20, membership: 'member', relationship: 'supported', verified: 5,
    services: [
      { name: 'Recovery café', description: 'A dry café and drop-in run by people in recovery. Mutual aid meetings most days.', terms: ['health.drugs-alcohol', 'loneliness.peer-support'], modes: 'ip', at: 'hub', when: 'MO,TU,WE,TH,FR 10:00-15:00', ages: [18, null] },
      { name: 'Family support group', description: 'For family members and friends affected by someone else’s drinking or drug use.', terms: ['health.drugs-alcohol', 'families.family-support'], modes: 'ip,on', at: 'hub', when: 'TU 18:00-19:30', history: [[900, 'ip'], [60, 'on']] },
    ],
  },
  {
    name: 'Riverside Bereavement Support', type: 'registered_charity', charity: '1099887', slug: 'bereavement', ward: 'oakwood', address: '15 Oakwood Avenue', inward: '2PQ',
    description: 'Support for adults and children after the death of someone close.',
    themes: ['health'], income: '10k_100k', staff: 2, volunteers: 24, membership: 'member', relationship: 'supported', verified: 7,
    services: [
      { name: 'One-to-one bereavement support', description: 'Up to eight sessions with a trained volunteer, in person or by phone.', terms: ['health.bereavement'], modes: 'ip,ph', at: 'oakwoodchurch', when: 'MO,TU,WE,TH 10:00-18:00' },
      { name: 'Bereavement café', description: 'A monthly drop-in to meet others who have lost someone.', terms: ['health.bereavement', 'loneliness.peer-support'], modes: 'ip', at: 'oakwoodchurch', when: 'MONTHLY 2WE 14:00-16:00' },
    ],
  },
  {
    name: 'Riverside Parent Carers Forum', type: 'cio', charity: '1176543', slug: 'parentcarers', ward: 'hillside', address: '22 Beacon Road', inward: '3AD',
    description: 'Parents and carers of children with special educational needs and disabilities, working together and with services.',
    themes: ['families', 'health'], groups: ['Parent carers', 'Disabled children'], income: '10k_100k', staff: 2, volunteers: 15, membership: 'member', relationship: 'partner', verified: 4,
    services: [
      { name: 'SEND parent support group', description: 'Coffee mornings for parents and carers of children with SEND, with guest speakers.', terms: ['families.send', 'health.carers'], modes: 'ip,on', at: 'hillsideyc', when: 'MONTHLY 1FR 10:00-12:00', history: [[1300, 'on'], [250, 'ip,on']] },
      { name: 'SEND information line', description: 'Information about EHC plans, school support and short breaks.', terms: ['families.send', 'advice.general'], modes: 'ph,on', when: 'TU,TH 09:30-14:30' },
    ],
  },
  {
    name: 'Riverside Town Council', type: 'parish_council', slug: 'towncouncil', ward: 'central', address: 'Town Hall, Market Square', inward: '1AA',
    description: 'The town council for Riverside: allotments, the town’s community grants and civic events.',
    themes: ['community', 'money'], income: '1m_plus', staff: 12, volunteers: 0, membership: 'none', relationship: 'funder', verified: 9,
    services: [
      { name: 'Community grants', description: 'Grants of up to £2,000 for voluntary groups running activities for Riverside residents. Four rounds a year.', terms: ['money.grants', 'community'], modes: 'on,ph', phone: '01632 960900' },
      { name: 'Allotments', description: 'Allotment plots on five sites across the town. Join the waiting list online or by phone.', terms: ['community.green-spaces'], modes: 'on,ph', costs: [['Full plot per year', 45], ['Half plot per year', 25]], free: false },
    ],
  },
  {
    name: 'Riverside District Council – Community Support', type: 'statutory_body', slug: 'districtcouncil', ward: 'central', address: 'Civic Centre, Riverside Way', inward: '1BB',
    description: 'The district council’s community support team: household support grants and help for residents in hardship.',
    themes: ['money', 'crisis'], income: '1m_plus', staff: 15, volunteers: 0, membership: 'none', relationship: 'funder', verified: 2,
    services: [
      { name: 'Household Support Fund', description: 'One-off grants for food, energy and essentials for households in hardship. Apply online or by phone.', terms: ['money.grants', 'food.fuel-energy', 'crisis'], modes: 'on,ph', phone: '01632 960800', started: 330 },
    ],
  },
  {
    name: 'Riverside Stroke Club', type: 'unincorporated', slug: 'strokeclub', ward: 'millbrook', address: 'Millbrook Lane', inward: '3RS',
    description: 'A social and exercise club for people who have had a stroke, and their partners.',
    themes: ['health'], groups: ['Disabled people', 'Carers'], income: 'under_10k', staff: 0, volunteers: 7, membership: 'none', relationship: 'none', verified: 19,
    services: [
      { name: 'Stroke club', description: 'Gentle exercise, communication games and lunch together.', terms: ['health.long-term-conditions', 'loneliness.peer-support'], modes: 'ip', at: 'millbrookhc', when: 'WE 11:00-14:00', costs: [['Per session with lunch', 4]] },
    ],
  },
  {
    name: 'Riverside Furniture Reuse', type: 'social_enterprise', company: '09876543', slug: 'furniturereuse', ward: 'canalside', address: 'Depot, Canal Road', inward: '3BA',
    description: 'Good-quality second-hand furniture and appliances at low prices, and free starter packs for people setting up home.',
    themes: ['food', 'housing', 'employment'], income: '100k_1m', staff: 10, volunteers: 25, membership: 'associate', relationship: 'supported', verified: 6,
    services: [
      { name: 'Furniture reuse shop', description: 'Beds, sofas, tables and white goods at low prices, with delivery available.', terms: ['food.household-essentials'], modes: 'ip,on', at: 'own', when: 'TU,WE,TH,FR,SA 10:00-16:00', costs: [['Delivery within Riverside', 15]], fees: 'Discounts with a referral.', free: false },
      { name: 'Starter packs', description: 'Free packs of bedding, kitchen equipment and towels for people moving into an empty home. Referral needed.', terms: ['food.household-essentials', 'housing.tenancy-support'], modes: 'hv,ph' },
    ],
  },
  {
    name: 'Riverside Neighbourhood Watch', type: 'unincorporated', slug: 'neighbourhoodwatch', ward: 'northgate', address: '3 Library Walk', inward: '4DE',
    description: 'Residents working with the police to keep Riverside’s streets safe.',
    themes: ['safety'], income: 'under_10k', staff: 0, volunteers: 40, membership: 'none', relationship: 'none', status: 'dormant', verified: 30,
    services: [
      { name: 'Street watch schemes', description: 'Set up or join a watch scheme in your street.', terms: ['safety.community-safety'], modes: 'on,ph', status: 'inactive', history: [[2500, 'ip,ph'], [600, 'on,ph'], [210, 'on,ph', 'inactive']] },
    ],
  },
  {
    name: 'New Leaf Resettlement Trust', type: 'registered_charity', charity: '1122334', slug: 'newleaf', ward: 'station', address: '1 Station Approach', inward: '1TU',
    description: 'Support for people leaving prison and their families, to settle back into the community.',
    themes: ['safety', 'housing', 'employment'], groups: ['People with convictions'], income: '100k_1m', staff: 8, volunteers: 12, membership: 'member', relationship: 'partner', verified: 8,
    services: [
      { name: 'Through-the-gate mentoring', description: 'A mentor meets you before release and supports you for your first months back in Riverside.', terms: ['safety.rehabilitation', 'housing.tenancy-support'], modes: 'ip,ph', ages: [18, null] },
      { name: 'Families of prisoners support', description: 'Support and visits help for families with someone in prison.', terms: ['safety.rehabilitation', 'families.family-support'], modes: 'ph,on' },
    ],
  },
  {
    name: 'Riverside Victim Support Volunteers', type: 'unincorporated', slug: 'victimsupport', ward: 'central', address: '8 Court Street', inward: '4AL',
    description: 'Trained volunteers offering emotional and practical support after a crime, reported or not.',
    themes: ['safety'], income: 'under_10k', staff: 0, volunteers: 11, membership: 'none', relationship: 'supported', verified: 12,
    services: [
      { name: 'Support after crime', description: 'Someone to talk to and practical help after a burglary, assault, fraud or hate crime.', terms: ['safety.victims'], modes: 'ph,hv', when: 'MO,TU,WE,TH,FR 09:00-17:00' },
    ],
  },
  {
    name: 'Hillside Boxing Club', type: 'cic', company: '14725836', slug: 'hillsideboxing', ward: 'hillside', address: '9 Forge Lane', inward: '2BF',
    description: 'Boxing fitness and mentoring for young people and adults, with free sessions for those who cannot pay.',
    themes: ['health', 'families'], income: '10k_100k', staff: 2, volunteers: 6, membership: 'none', relationship: 'none', verified: 17,
    ownVenue: { name: 'Hillside Boxing Club gym', accessibility: 'Ground-floor gym; no accessible toilet.' },
    services: [
      { name: 'Junior boxing fitness', description: 'Non-contact boxing fitness and mentoring for 10 to 16 year olds.', terms: ['families.youth', 'health.physical-activity'], modes: 'ip', at: 'own', when: 'MO,WE 17:00-18:30', ages: [10, 16], costs: [['Per session', 2]], fees: 'Free places for families on low incomes.' },
    ],
  },
];

// ---------------------------------------------------------------------------------------------------

function point(ward: WardKey, east: number, north: number) {
  const w = WARDS[ward]!;
  return { lat: Number((CENTRE.lat + (w.north + north) * KM_LAT).toFixed(6)), lng: Number((CENTRE.lng + (w.east + east) * KM_LNG).toFixed(6)) };
}
const postcodeOf = (ward: WardKey, inward: string) => `${WARDS[ward]!.district} ${inward}`;
const daysAgo = (now: Date, days: number) => new Date(now.getTime() - days * 86_400_000);
const dayString = (d: Date) => d.toISOString().slice(0, 10);

function parseWhen(when: string): { freq: 'WEEKLY' | 'MONTHLY'; byday: string; opens: string; closes: string }[] {
  return when.split(';').map((part) => part.trim()).filter(Boolean).map((part) => {
    const monthly = /^MONTHLY (\S+) (\d\d:\d\d)-(\d\d:\d\d)$/.exec(part);
    if (monthly) return { freq: 'MONTHLY' as const, byday: monthly[1]!, opens: monthly[2]!, closes: monthly[3]! };
    const weekly = /^(\S+) (\d\d:\d\d)-(\d\d:\d\d)$/.exec(part);
    if (!weekly) throw new Error(`Bad demo opening time: ${part}`);
    return { freq: 'WEEKLY' as const, byday: weekly[1]!, opens: weekly[2]!, closes: weekly[3]! };
  });
}

export interface DirectorySeedCounts { organisations: number; services: number; locations: number; postcodes: number; terms: number }

/**
 * Fills the demo LIO's directory. Runs inside the demo seed's transaction (the owner connection), on an LIO
 * that has just been created; organisations it already holds by name are completed rather than repeated.
 */
export async function seedDirectory(tx: Queryable, lioId: string, now: Date = new Date()): Promise<DirectorySeedCounts> {
  const taxonomyId = await ensureDefaultTaxonomy(tx, lioId, now);
  const terms = await tx.selectFrom('taxonomy_terms').select(['id', 'code']).where('taxonomy_id', '=', taxonomyId).execute();
  const termId = new Map(terms.map((t) => [t.code, t.id]));
  phoneSeq = 0;

  // Postcodes: one for each venue and each organisation's premises (shared reference data).
  const postcodes = new Map<string, { lat: number; lng: number }>();
  const venueRows = Object.entries(VENUES).map(([key, v]) => {
    const p = point(v.ward, v.east, v.north);
    postcodes.set(postcodeOf(v.ward, v.inward), p);
    return { key, id: randomUUID(), ...v, ...p };
  });
  const venueIds = new Map(venueRows.map((v) => [v.key, v.id]));

  const existing = new Map((await tx.selectFrom('organisations').select(['id', 'name']).where('lio_id', '=', lioId).execute()).map((o) => [o.name, o.id]));
  const orgRows = ORGANISATIONS.map((o, i) => {
    const p = point(o.ward, ((i * 37) % 11 - 5) / 20, ((i * 53) % 13 - 6) / 20);
    const postcode = postcodeOf(o.ward, o.inward);
    if (!postcodes.has(postcode)) postcodes.set(postcode, p);
    const at = postcodes.get(postcode)!;
    return {
      spec: o, id: existing.get(o.name) ?? randomUUID(), isNew: !existing.has(o.name), postcode, lat: at.lat, lng: at.lng,
      values: {
        lio_id: lioId, name: o.name, other_names: o.other ?? [], organisation_type: o.type, charity_number: o.charity ?? null, company_number: o.company ?? null,
        description: o.description, website: `https://${o.slug}.example`, email: `hello@${o.slug}.example`, phone: demoPhone(),
        address: `${o.address}, Riverside`, postcode, latitude: at.lat, longitude: at.lng,
        areas_served: o.areas ?? (o.ward === 'central' || o.income === '1m_plus' ? ALL_WARDS : [WARDS[o.ward]!.name, WARDS.central!.name]),
        themes: codesOf(o.themes, themeCode), groups_served: codesOf(o.groups ?? [], groupCode), income_band: o.income, staff_count: o.staff, volunteer_count: o.volunteers,
        membership: o.membership ?? 'none', status: o.status ?? 'active', consent_to_publish: true,
        last_verified_at: daysAgo(now, o.verified * 30 + (i % 7)), relationship: o.relationship ?? 'none',
        created_at: daysAgo(now, 900 + i * 17), updated_at: daysAgo(now, o.verified * 30),
      },
    };
  });
  const fresh = orgRows.filter((o) => o.isNew);
  if (fresh.length) await tx.insertInto('organisations').values(fresh.map((o) => ({ id: o.id, ...o.values }))).execute();
  for (const o of orgRows.filter((r) => !r.isNew)) {
    const { created_at: _created, ...update } = o.values;
    void _created;
    await tx.updateTable('organisations').set(update).where('id', '=', o.id).execute();
  }

  // Venues: the shared ones, and each organisation's own premises where its services happen.
  const locations: Record<string, unknown>[] = venueRows.map((v) => ({
    id: v.id, lio_id: lioId, organisation_id: null, location_type: 'physical' as const, name: v.name, address_1: v.address, city: 'Riverside',
    state_province: 'England', postal_code: postcodeOf(v.ward, v.inward), country: 'GB', latitude: v.lat, longitude: v.lng,
    accessibility: v.accessibility ?? null, created_at: daysAgo(now, 1200), updated_at: daysAgo(now, 1200),
  }));
  const ownVenue = new Map<string, string>();
  for (const o of orgRows) {
    if (!o.spec.services.some((s) => s.at === 'own' || (Array.isArray(s.at) && s.at.includes('own')))) continue;
    const id = randomUUID();
    ownVenue.set(o.id, id);
    locations.push({
      id, lio_id: lioId, organisation_id: o.id, location_type: 'physical', name: o.spec.ownVenue?.name ?? o.spec.name, address_1: o.spec.address, city: 'Riverside',
      state_province: 'England', postal_code: o.postcode, country: 'GB', latitude: o.lat, longitude: o.lng,
      accessibility: o.spec.ownVenue?.accessibility ?? null, created_at: daysAgo(now, 1000), updated_at: daysAgo(now, 1000),
    });
  }

  // Services and their parts.
  const services: Record<string, unknown>[] = [];
  const sals: { id: string; lio_id: string; service_id: string; location_id: string }[] = [];
  const schedules: Record<string, unknown>[] = [];
  const costs: Record<string, unknown>[] = [];
  const languages: Record<string, unknown>[] = [];
  const areas: Record<string, unknown>[] = [];
  const attributes: Record<string, unknown>[] = [];
  const phones: Record<string, unknown>[] = [];
  const contacts: Record<string, unknown>[] = [];
  const history: Record<string, unknown>[] = [];
  const languageCodes: Record<string, string> = { English: 'en', Arabic: 'ar', Farsi: 'fa', Tigrinya: 'ti', Polish: 'pl', Urdu: 'ur', Punjabi: 'pa', Bengali: 'bn', 'British Sign Language': 'bfi' };
  let n = 0;
  for (const o of orgRows) {
    for (const s of o.spec.services) {
      n += 1;
      const id = randomUUID();
      const states = s.history ?? [];
      const started = s.started ?? states[0]?.[0] ?? 1400 + ((n * 131) % 2200);
      const createdAt = daysAgo(now, started);
      const status = s.status ?? states.at(-1)?.[2] ?? 'active';
      const free = s.free ?? !(s.costs ?? []).some(([, amount]) => (amount ?? 0) > 0);
      services.push({
        id, lio_id: lioId, organisation_id: o.id, name: s.name, description: s.description, status, delivery_modes: modes(s.modes),
        url: `https://${o.spec.slug}.example/${s.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}`,
        email: s.email ?? `hello@${o.spec.slug}.example`, fees_description: s.fees ?? null, is_free: free,
        minimum_age: s.ages?.[0] ?? null, maximum_age: s.ages?.[1] ?? null, created_at: createdAt, updated_at: daysAgo(now, Math.min(started, 20 + (n % 60))),
      });
      // History: the state as started, then each recorded change; the last entry is how it is delivered now.
      const entries: [number, string, ServiceStatus][] = states.length
        ? states.map(([d, m, st]) => [d, m, st ?? 'active'] as [number, string, ServiceStatus])
        : [[started, s.modes, 'active']];
      if (entries[0]![0] !== started) entries.unshift([started, entries[0]![1], 'active']);
      const last = entries.at(-1)!;
      if (modes(last[1]).sort().join() !== modes(s.modes).sort().join() || last[2] !== status) entries.push([Math.max(0, Math.min(last[0] - 1, 10)), s.modes, status]);
      entries.forEach(([d, m, st], i) => history.push({
        id: randomUUID(), lio_id: lioId, service_id: id, changed_on: dayString(daysAgo(now, d)), delivery_modes: modes(m), status: st,
        note: i === 0 ? 'Service added' : null,
      }));

      const where = s.at === undefined ? [] : Array.isArray(s.at) ? s.at : [s.at];
      for (const key of where) {
        const locationId = key === 'own' ? ownVenue.get(o.id) : venueIds.get(key);
        if (!locationId) throw new Error(`Demo service ${s.name} names an unknown venue ${key}`);
        sals.push({ id: randomUUID(), lio_id: lioId, service_id: id, location_id: locationId });
      }
      for (const w of s.when ? parseWhen(s.when) : []) {
        schedules.push({ id: randomUUID(), lio_id: lioId, service_id: id, freq: w.freq, interval: 1, byday: w.byday, opens_at: w.opens, closes_at: w.closes });
      }
      for (const [inDays, times, what] of s.sessions ?? []) {
        const [opens, closes] = times.split('-');
        const day = dayString(new Date(now.getTime() + inDays * 86_400_000));
        schedules.push({ id: randomUUID(), lio_id: lioId, service_id: id, dtstart: day, valid_from: day, valid_to: day, opens_at: opens, closes_at: closes, description: what });
      }
      for (const [option, amount] of s.costs ?? []) costs.push({ id: randomUUID(), lio_id: lioId, service_id: id, option, amount });
      for (const name of s.languages ?? ['English']) languages.push({ id: randomUUID(), lio_id: lioId, service_id: id, name, code: languageCodes[name] ?? null });
      for (const name of s.areas ?? o.values.areas_served) areas.push({ id: randomUUID(), lio_id: lioId, service_id: id, name });
      for (const code of s.terms) {
        const term = termId.get(code);
        if (!term) throw new Error(`Demo service ${s.name} names an unknown term ${code}`);
        attributes.push({ id: randomUUID(), lio_id: lioId, link_id: id, link_type: 'service', link_entity: 'service', taxonomy_term_id: term });
      }
      if (s.phone) phones.push({ id: randomUUID(), lio_id: lioId, service_id: id, number: s.phone, type: 'voice' });
      else if (s.modes.includes('ph')) phones.push({ id: randomUUID(), lio_id: lioId, service_id: id, number: demoPhone(), type: 'voice' });
      if (s.contact) {
        const contactId = randomUUID();
        contacts.push({ id: contactId, lio_id: lioId, service_id: id, name: s.contact[0], title: s.contact[1], email: `${s.contact[0].split(' ')[0]!.toLowerCase()}@${o.spec.slug}.example` });
        phones.push({ id: randomUUID(), lio_id: lioId, contact_id: contactId, number: demoPhone(), type: 'voice' });
      }
    }
  }
  const insert = async (table: string, rows: Record<string, unknown>[]) => {
    for (let i = 0; i < rows.length; i += 500) await tx.insertInto(table as 'services').values(rows.slice(i, i + 500) as never).execute();
  };
  await insert('locations', locations);
  await insert('services', services);
  await insert('service_at_locations', sals);
  await insert('schedules', schedules);
  await insert('cost_options', costs);
  await insert('languages', languages);
  await insert('service_areas', areas);
  await insert('attributes', attributes);
  await insert('contacts', contacts);
  await insert('phones', phones);
  await insert('service_delivery_changes', history);

  // Reference postcodes (shared by every LIO) so that the demo can geocode; kept if already there.
  await tx.insertInto('postcodes').values([...postcodes].map(([postcode, p]) => ({ postcode: postcode.replace(' ', ''), latitude: p.lat, longitude: p.lng })))
    .onConflict((oc) => oc.column('postcode').doNothing()).execute();

  return { organisations: orgRows.length, services: services.length, locations: locations.length, postcodes: postcodes.size, terms: terms.length };
}
