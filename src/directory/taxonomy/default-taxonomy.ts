import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../platform/db/index.js';
import { taxonomyRepository } from './repository.js';

/**
 * The taxonomy every new LIO starts with: the needs people bring and the kinds of help local voluntary and
 * community groups offer, in plain English. Codes are stable (imports and the ORUK API refer to them); names
 * and descriptions can be edited by the LIO's admins.
 */
export interface DefaultTerm { code: string; name: string; description: string; children?: DefaultTerm[] }

export const DEFAULT_TAXONOMY = {
  name: 'Community needs and services',
  description: 'Common Ground’s taxonomy of needs and service types for UK community services.',
  uri: null as string | null,
  version: '1.0',
};

const t = (code: string, name: string, description: string, children?: DefaultTerm[]): DefaultTerm => ({ code, name, description, ...(children ? { children } : {}) });

export const DEFAULT_TERMS: DefaultTerm[] = [
  t('food', 'Food and essentials', 'Food, fuel and the everyday things a household needs.', [
    t('food.food-bank', 'Food banks and pantries', 'Emergency food parcels, community pantries and social supermarkets.'),
    t('food.community-meals', 'Community meals and lunch clubs', 'Shared meals, community cafés and lunch clubs.'),
    t('food.fuel-energy', 'Fuel and energy help', 'Help with energy bills, fuel vouchers, keeping warm and saving energy.'),
    t('food.warm-spaces', 'Warm and welcoming spaces', 'Free places to keep warm, have a hot drink and meet people.'),
    t('food.household-essentials', 'Clothing, furniture and household goods', 'Clothes banks, furniture reuse, white goods and starter packs.'),
    t('food.baby-bank', 'Baby banks', 'Nappies, clothes, prams and equipment for babies and young children.'),
    t('food.hygiene', 'Toiletries and hygiene', 'Toiletries, period products and hygiene banks.'),
  ]),
  t('money', 'Money and debt', 'Advice and practical help with money.', [
    t('money.debt-advice', 'Debt advice', 'Free, confidential advice on debts, arrears and dealing with creditors.'),
    t('money.benefits', 'Benefits and entitlements', 'Checking entitlement, claiming benefits and challenging decisions.'),
    t('money.budgeting', 'Budgeting and money skills', 'Help to plan a budget, open a bank account and manage money.'),
    t('money.grants', 'Grants and hardship funds', 'Small grants and hardship payments for individuals and families.'),
    t('money.affordable-credit', 'Credit unions and affordable credit', 'Savings and fair loans as an alternative to high-cost credit.'),
  ]),
  t('housing', 'Housing', 'Finding and keeping a safe home.', [
    t('housing.homelessness', 'Homelessness and rough sleeping', 'Outreach, day centres and help for people who are homeless or at risk.'),
    t('housing.advice', 'Housing advice', 'Advice on renting, eviction, repairs disputes and housing rights.'),
    t('housing.tenancy-support', 'Tenancy support', 'Support to set up and keep a tenancy.'),
    t('housing.repairs-adaptations', 'Home repairs and adaptations', 'Handyperson services, small repairs and adaptations to stay at home safely.'),
    t('housing.supported', 'Supported housing', 'Housing with support for people who need it.'),
  ]),
  t('health', 'Health and wellbeing', 'Looking after body and mind.', [
    t('health.mental-health', 'Mental health', 'Support groups, talking therapies, drop-ins and recovery for mental health.'),
    t('health.physical-activity', 'Physical activity', 'Walking groups, exercise classes, sport and movement for all abilities.'),
    t('health.carers', 'Carers', 'Support, breaks and advice for unpaid carers.'),
    t('health.disability', 'Disability', 'Support, activities and advice for disabled people.'),
    t('health.long-term-conditions', 'Long-term conditions', 'Support groups and self-management for long-term health conditions.'),
    t('health.drugs-alcohol', 'Drugs and alcohol', 'Support for people affected by drug or alcohol use and their families.'),
    t('health.bereavement', 'Bereavement', 'Support after the death of someone close.'),
    t('health.healthy-eating', 'Healthy eating and cooking', 'Cookery courses and help to eat well on a budget.'),
  ]),
  t('loneliness', 'Loneliness and befriending', 'Company, conversation and connection.', [
    t('loneliness.befriending', 'Befriending', 'Regular visits or outings with a volunteer befriender.'),
    t('loneliness.telephone-befriending', 'Telephone befriending', 'Regular friendly phone calls.'),
    t('loneliness.social-prescribing', 'Social prescribing', 'Link workers who connect people with local activities and support.'),
    t('loneliness.peer-support', 'Peer support groups', 'Groups of people with shared experience supporting each other.'),
  ]),
  t('families', 'Children, families and young people', 'Support for children, young people and parents.', [
    t('families.early-years', 'Baby and toddler groups', 'Stay-and-play, baby groups and early-years activities.'),
    t('families.parenting', 'Parenting support', 'Courses, groups and one-to-one support for parents.'),
    t('families.youth', 'Youth clubs and activities', 'Youth clubs, youth work and activities for young people.'),
    t('families.holiday-activities', 'Holiday activities and food', 'Free holiday clubs with meals for children.'),
    t('families.young-carers', 'Young carers', 'Support and breaks for children and young people who care for someone.'),
    t('families.send', 'Special educational needs and disabilities', 'Support for children and young people with SEND and their families.'),
    t('families.family-support', 'Family support', 'Practical and emotional support for families under pressure.'),
  ]),
  t('older', 'Older people', 'Support and activities for older people.', [
    t('older.day-centres', 'Day centres and clubs', 'Day centres, social clubs and activities for older people.'),
    t('older.dementia', 'Dementia support', 'Memory cafés and support for people living with dementia and their carers.'),
    t('older.help-at-home', 'Help at home and shopping', 'Shopping, prescriptions collection, odd jobs and practical help at home.'),
    t('older.home-from-hospital', 'Home from hospital', 'Short-term support after a stay in hospital.'),
  ]),
  t('learning', 'Learning, skills and digital inclusion', 'Learning at any age, and getting online.', [
    t('learning.digital-skills', 'Digital skills', 'Help to use phones, computers and the internet.'),
    t('learning.devices-data', 'Devices and data', 'Donated or lent devices, SIM cards and free data.'),
    t('learning.esol', 'English for speakers of other languages', 'ESOL classes and conversation clubs.'),
    t('learning.adult-learning', 'Adult and community learning', 'Courses and classes for adults.'),
    t('learning.literacy-numeracy', 'Reading, writing and maths', 'Help with literacy and numeracy.'),
  ]),
  t('employment', 'Employment and volunteering', 'Work, skills for work and giving time.', [
    t('employment.job-support', 'Job search support', 'CVs, applications, interview practice and job clubs.'),
    t('employment.training', 'Training and work placements', 'Training for work, apprenticeships and placements.'),
    t('employment.volunteering', 'Volunteering opportunities', 'Ways to volunteer locally.'),
    t('employment.self-employment', 'Self-employment and enterprise', 'Help to start and run a small business or social enterprise.'),
  ]),
  t('transport', 'Transport', 'Getting where you need to go.', [
    t('transport.community-transport', 'Community transport', 'Minibuses and group travel run by community groups.'),
    t('transport.door-to-door', 'Door-to-door and dial-a-ride', 'Accessible door-to-door transport for people who cannot use buses.'),
    t('transport.medical-appointments', 'Lifts to medical appointments', 'Volunteer drivers for health appointments.'),
    t('transport.cycling', 'Cycling and bike repair', 'Bike loans, repair and learning to ride.'),
  ]),
  t('advice', 'Advice and advocacy', 'Independent advice and someone on your side.', [
    t('advice.general', 'General advice', 'Free advice on everyday problems.'),
    t('advice.advocacy', 'Independent advocacy', 'Advocates who help people be heard and get their rights.'),
    t('advice.legal', 'Legal advice', 'Free or low-cost legal advice.'),
    t('advice.immigration', 'Immigration and asylum advice', 'Regulated advice on immigration and asylum.'),
    t('advice.form-filling', 'Help with forms', 'Help to fill in forms and letters.'),
    t('advice.consumer', 'Consumer and scams advice', 'Help with consumer problems and avoiding scams.'),
  ]),
  t('community', 'Community and social groups', 'Groups and places that bring people together.', [
    t('community.centres', 'Community centres and halls', 'Community buildings with activities and rooms to hire.'),
    t('community.faith', 'Faith and belief groups', 'Places of worship and faith-based community activities.'),
    t('community.arts-culture', 'Arts, crafts and culture', 'Creative groups, choirs, crafts and heritage.'),
    t('community.sport', 'Sports clubs', 'Local sports clubs and teams.'),
    t('community.green-spaces', 'Gardening and green spaces', 'Community gardens, allotments and conservation volunteering.'),
    t('community.mens-sheds', 'Men’s sheds and making', 'Workshops and making spaces.'),
    t('community.residents', 'Tenants’ and residents’ groups', 'Groups that represent and improve their neighbourhood.'),
    t('community.environment', 'Environment and climate action', 'Litter picks, repair cafés and climate action groups.'),
  ]),
  t('communities', 'Communities of identity and experience', 'Support run by and for particular communities.', [
    t('communities.refugees', 'Refugees and people seeking asylum', 'Welcome, support and advice for refugees and people seeking asylum.'),
    t('communities.lgbtq', 'LGBTQ+ people', 'Groups and support for lesbian, gay, bisexual, trans and queer people.'),
    t('communities.ethnic-minority', 'Black and minority ethnic communities', 'Groups and services run by and for Black and minority ethnic communities.'),
    t('communities.veterans', 'Armed forces veterans', 'Support for veterans and their families.'),
    t('communities.women', 'Women and girls', 'Groups and services for women and girls.'),
  ]),
  t('safety', 'Safety and justice', 'Staying safe and dealing with crime.', [
    t('safety.victims', 'Support for victims of crime', 'Emotional and practical support after a crime.'),
    t('safety.rehabilitation', 'Rehabilitation and resettlement', 'Support for people leaving prison and their families.'),
    t('safety.community-safety', 'Community safety', 'Neighbourhood watch and community safety schemes.'),
  ]),
  t('crisis', 'Crisis and emergency support', 'Help now, when things have gone badly wrong.', [
    t('crisis.listening', 'Crisis and listening lines', 'Someone to talk to, day or night.'),
    t('crisis.domestic-abuse', 'Domestic abuse', 'Safe, confidential support for people experiencing domestic abuse.'),
    t('crisis.suicide-prevention', 'Suicide prevention', 'Support for people in crisis and those bereaved by suicide.'),
    t('crisis.emergency-accommodation', 'Emergency accommodation', 'Somewhere safe to stay tonight.'),
    t('crisis.mutual-aid', 'Mutual aid and emergency volunteers', 'Neighbours helping neighbours in an emergency.'),
  ]),
];

/** Every default term, flattened, parents before children. */
export function flattenDefaultTerms(terms: DefaultTerm[] = DEFAULT_TERMS, parentCode: string | null = null): { code: string; name: string; description: string; parentCode: string | null }[] {
  return terms.flatMap((term) => [
    { code: term.code, name: term.name, description: term.description, parentCode },
    ...flattenDefaultTerms(term.children ?? [], term.code),
  ]);
}

/**
 * Installs the default taxonomy for an LIO unless it already has it (then it is left as the admins made it).
 * Works on a tenant transaction or the owner connection. Returns the taxonomy's id.
 */
export async function ensureDefaultTaxonomy(tx: Queryable, lioId: string, now: Date = new Date()): Promise<string> {
  const existing = await taxonomyRepository.idByName(tx, lioId, DEFAULT_TAXONOMY.name);
  if (existing) return existing;
  const flat = flattenDefaultTerms();
  const ids = new Map(flat.map((term) => [term.code, randomUUID()]));
  return taxonomyRepository.insertWithTerms(tx, lioId, DEFAULT_TAXONOMY, flat.map((term) => ({
    id: ids.get(term.code)!, code: term.code, name: term.name, description: term.description, parentId: term.parentCode ? ids.get(term.parentCode)! : null,
  })), now);
}

/** For paths that may meet an LIO that already exists: installs the default taxonomy only if the LIO has no taxonomy at all. */
export async function installDefaultTaxonomyIfNone(tx: Queryable, lioId: string, now: Date = new Date()): Promise<string | null> {
  return (await taxonomyRepository.hasAny(tx, lioId)) ? null : ensureDefaultTaxonomy(tx, lioId, now);
}
