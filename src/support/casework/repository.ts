import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import { containing } from '../../platform/db/like.js';
import type { CaseAskedVia, CaseStatus, OutcomeKind, SupportTopic } from '../../platform/db/support-schema.js';

/** What the staff's list of cases is narrowed by; every part optional, and `today` dates "due" and "overdue". */
export interface CaseFilter {
  /** 'active': every status but closed (the default); 'all': every case. */
  status: CaseStatus | 'active' | 'all';
  topic: SupportTopic | null;
  /** An adviser's account, 'unassigned', or null for anyone's. */
  adviser: string | 'unassigned' | null;
  organisationId: string | null;
  /** Words of the organisation's name. */
  organisationName: string;
  due: 'today' | 'overdue' | 'week' | null;
  q: string;
}

export interface NewCase {
  lioId: string; reference: string; organisationId: string; topic: SupportTopic; title: string; request: string; askedVia: CaseAskedVia;
  askedByPersonId: string | null; askedByUserId: string | null; referredBy: string | null; adviserUserId: string | null;
  contactPreference: 'email' | 'phone' | null; nextAction: string | null; nextActionDue: string | null; openedOn: string; now: Date;
}

/**
 * A date column as 'YYYY-MM-DD' text: the drivers would make it a Date at midnight in the server's time zone, which
 * moves the day wherever that is not UTC.
 */
export const asDay = <A extends string>(column: string, as: A) => sql<string>`${sql.ref(column)}::text`.as(as);
export const asNullableDay = <A extends string>(column: string, as: A) => sql<string | null>`${sql.ref(column)}::text`.as(as);

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** The most matches the list counts (and pages through): 80 pages. */
export const COUNT_CAP = 2000;

/** The reference people read and say on the phone: 'SC-0042' (more digits past 9999). */
export const referenceOf = (n: number) => `SC-${String(n).padStart(4, '0')}`;

/** A case with its organisation's, adviser's and asker's names, as its page shows it. */
function selectCase(db: Queryable) {
  return db.selectFrom('support_cases as c')
    .innerJoin('organisations as o', 'o.id', 'c.organisation_id')
    .leftJoin('users as a', 'a.id', 'c.adviser_user_id')
    .leftJoin('people as p', 'p.id', 'c.asked_by_person_id')
    .select(['c.id', 'c.lio_id', 'c.reference', 'c.organisation_id', 'c.topic', 'c.title', 'c.request', 'c.asked_via', 'c.asked_by_person_id', 'c.asked_by_user_id',
      'c.referred_by', 'c.adviser_user_id', 'c.status', 'c.next_action', 'c.closing_summary', 'c.contact_preference', 'c.created_at', 'c.updated_at'])
    .select([asNullableDay('c.next_action_due', 'next_action_due'), asDay('c.opened_on', 'opened_on'), asNullableDay('c.closed_on', 'closed_on')])
    .select(['o.name as organisation_name', 'a.display_name as adviser_name', 'p.full_name as asked_by_name', 'p.emails as asked_by_emails', 'p.phones as asked_by_phones']);
}

export type CaseRow = Awaited<ReturnType<typeof caseworkRepository.byId>> & object;

/** All SQL of support cases: their references, the list, each case, notes, documents and outcomes. */
export const caseworkRepository = {
  /** The next case number of the LIO, taken under the counter row's lock (released when the transaction ends). */
  async nextReference(db: Queryable, lioId: string): Promise<string> {
    const row = await db.insertInto('support_case_counters').values({ lio_id: lioId, last_number: 1 })
      .onConflict((oc) => oc.column('lio_id').doUpdateSet({ last_number: sql<number>`support_case_counters.last_number + 1` }))
      .returning('last_number').executeTakeFirstOrThrow();
    return referenceOf(row.last_number);
  },

  async insertCase(db: Queryable, c: NewCase): Promise<string> {
    const row = await db.insertInto('support_cases').values({
      lio_id: c.lioId, reference: c.reference, organisation_id: c.organisationId, topic: c.topic, title: c.title, request: c.request,
      asked_via: c.askedVia, asked_by_person_id: c.askedByPersonId, asked_by_user_id: c.askedByUserId, referred_by: c.referredBy,
      adviser_user_id: c.adviserUserId, status: c.adviserUserId ? 'open' : 'new', contact_preference: c.contactPreference,
      next_action: c.nextAction, next_action_due: c.nextActionDue, opened_on: c.openedOn, created_at: c.now, updated_at: c.now,
    }).returning('id').executeTakeFirstOrThrow();
    return row.id;
  },

  /** A page of the list, due first (then the newest), and how many cases the filter finds in all. */
  async list(db: Queryable, f: CaseFilter, today: string, limit: number, offset: number) {
    let base = db.selectFrom('support_cases as c');
    if (f.status === 'active') base = base.where('c.status', '<>', 'closed');
    else if (f.status !== 'all') base = base.where('c.status', '=', f.status);
    if (f.topic) base = base.where('c.topic', '=', f.topic);
    if (f.adviser === 'unassigned') base = base.where('c.adviser_user_id', 'is', null);
    else if (f.adviser) base = base.where('c.adviser_user_id', '=', f.adviser);
    if (f.organisationId) base = base.where('c.organisation_id', '=', f.organisationId);
    if (f.organisationName) {
      base = base.where('c.organisation_id', 'in', (eb) => eb.selectFrom('organisations').select('id').where(sql<string>`lower(name)`, 'like', containing(f.organisationName.toLowerCase())));
    }
    if (f.due === 'today') base = base.where('c.next_action_due', '=', today);
    else if (f.due === 'overdue') base = base.where('c.next_action_due', '<', today);
    else if (f.due === 'week') base = base.where('c.next_action_due', '<=', addDays(today, 7));
    if (f.due) base = base.where('c.status', '<>', 'closed');
    // A reference typed as people say it ('sc42', 'SC-0042') is looked up by its key; other text searches titles too.
    const reference = /^sc-?\s*0*(\d{1,9})$/i.exec(f.q);
    if (reference) base = base.where('c.reference', '=', referenceOf(Number(reference[1])));
    else if (f.q) base = base.where(sql<string>`c.reference || ' ' || c.title`, 'ilike', containing(f.q));
    // One after the other: both run on the caller's one connection. The count stops past COUNT_CAP: beyond it a person
    // narrows the list rather than pages through it, and counting every match of a broad filter costs the most.
    const { n } = await db.selectFrom(base.select(sql`1`.as('one')).limit(COUNT_CAP + 1).as('matches'))
      .select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const rows = await base.innerJoin('organisations as o', 'o.id', 'c.organisation_id').leftJoin('users as a', 'a.id', 'c.adviser_user_id')
        .select(['c.id', 'c.reference', 'c.title', 'c.topic', 'c.status', 'c.next_action', 'c.organisation_id', 'o.name as organisation_name', 'a.display_name as adviser_name'])
        .select([asNullableDay('c.next_action_due', 'next_action_due'), asDay('c.opened_on', 'opened_on')])
        .orderBy(sql`c.next_action_due asc nulls last`).orderBy('c.opened_on', 'desc').orderBy('c.id').limit(limit).offset(offset).execute();
    return { total: Math.min(Number(n), COUNT_CAP), more: Number(n) > COUNT_CAP, rows };
  },

  byId(db: Queryable, id: string) {
    return selectCase(db).where('c.id', '=', id).executeTakeFirst();
  },

  /** The cases of one organisation, newest first (the group's portal). */
  ofOrganisation(db: Queryable, organisationId: string) {
    return selectCase(db).where('c.organisation_id', '=', organisationId).orderBy('c.opened_on', 'desc').orderBy('c.reference', 'desc').limit(500).execute();
  },

  update(db: Queryable, id: string, set: Partial<{ topic: SupportTopic; title: string; request: string; referred_by: string | null; status: CaseStatus;
    next_action: string | null; next_action_due: string | null; adviser_user_id: string | null; closed_on: string | null; closing_summary: string | null }>, now: Date) {
    return db.updateTable('support_cases').set({ ...set, updated_at: now }).where('id', '=', id).executeTakeFirst();
  },

  /** The adviser's home panel: their cases due today and overdue, and new cases no one has taken. */
  async counts(db: Queryable, adviserId: string, today: string) {
    const row = await db.selectFrom('support_cases').select([
      sql<string>`count(*) filter (where adviser_user_id = ${adviserId} and next_action_due = ${today})`.as('due_today'),
      sql<string>`count(*) filter (where adviser_user_id = ${adviserId} and next_action_due < ${today})`.as('overdue'),
      sql<string>`count(*) filter (where adviser_user_id is null and status = 'new')`.as('unassigned'),
    ]).where('status', '<>', 'closed').executeTakeFirstOrThrow();
    return { dueToday: Number(row.due_today), overdue: Number(row.overdue), unassigned: Number(row.unassigned) };
  },

  /** A group's home panel: its cases waiting for something from it, and those not closed. */
  async groupCounts(db: Queryable, organisationId: string) {
    const row = await db.selectFrom('support_cases').select([
      sql<string>`count(*) filter (where status = 'waiting_on_group')`.as('waiting'),
      sql<string>`count(*) filter (where status <> 'closed')`.as('open'),
    ]).where('organisation_id', '=', organisationId).executeTakeFirstOrThrow();
    return { waiting: Number(row.waiting), open: Number(row.open) };
  },

  /** An organisation's cases, for its page in the register: those not closed, and all it has had. */
  async organisationCounts(db: Queryable, organisationId: string) {
    const row = await db.selectFrom('support_cases').select([
      sql<string>`count(*) filter (where status <> 'closed')`.as('open'), sql<string>`count(*)`.as('all'),
    ]).where('organisation_id', '=', organisationId).executeTakeFirstOrThrow();
    return { open: Number(row.open), all: Number(row.all) };
  },

  // --- Notes ---

  insertNote(db: Queryable, n: { lioId: string; caseId: string; authorUserId: string | null; body: string; minutes: number; workedOn: string; shared: boolean; fromGroup: boolean; now: Date }) {
    return db.insertInto('support_case_notes').values({
      lio_id: n.lioId, case_id: n.caseId, author_user_id: n.authorUserId, body: n.body, minutes_spent: n.minutes, worked_on: n.workedOn,
      shared_with_group: n.shared || n.fromGroup, from_group: n.fromGroup, created_at: n.now,
    }).returning('id').executeTakeFirstOrThrow();
  },

  /** The timeline, newest first; `sharedOnly`: what the group may read (never the advisers' own notes). */
  notes(db: Queryable, caseId: string, sharedOnly: boolean) {
    let q = db.selectFrom('support_case_notes as n').leftJoin('users as u', 'u.id', 'n.author_user_id')
      .select(['n.id', 'n.body', 'n.minutes_spent', asDay('n.worked_on', 'worked_on'), 'n.shared_with_group', 'n.from_group', 'n.created_at', 'u.display_name as author_name'])
      .where('n.case_id', '=', caseId);
    if (sharedOnly) q = q.where('n.shared_with_group', '=', true);
    return q.orderBy('n.created_at', 'desc').orderBy('n.id').execute();
  },

  // --- Documents ---

  insertDocument(db: Queryable, d: { lioId: string; caseId: string; fileName: string; mediaType: string; size: number; sha256: string; content: Uint8Array | null; storageKey: string | null; userId: string; now: Date }) {
    return db.insertInto('support_case_documents').values({
      lio_id: d.lioId, case_id: d.caseId, file_name: d.fileName, media_type: d.mediaType, size_bytes: d.size, sha256: d.sha256,
      content: d.content, storage_key: d.storageKey, uploaded_by_user_id: d.userId, created_at: d.now,
    }).returning('id').executeTakeFirstOrThrow();
  },

  documents(db: Queryable, caseId: string) {
    return db.selectFrom('support_case_documents as d').leftJoin('users as u', 'u.id', 'd.uploaded_by_user_id')
      .select(['d.id', 'd.file_name', 'd.media_type', 'd.size_bytes', 'd.created_at', 'u.display_name as uploaded_by'])
      .where('d.case_id', '=', caseId).orderBy('d.created_at', 'desc').execute();
  },

  /** One document of one case, with its content (or where it is kept). */
  document(db: Queryable, caseId: string, id: string) {
    return db.selectFrom('support_case_documents').selectAll().where('case_id', '=', caseId).where('id', '=', id).executeTakeFirst();
  },

  deleteDocument(db: Queryable, caseId: string, id: string) {
    return db.deleteFrom('support_case_documents').where('case_id', '=', caseId).where('id', '=', id).returning(['storage_key', 'file_name']).executeTakeFirst();
  },

  // --- Outcomes ---

  insertOutcome(db: Queryable, o: { lioId: string; caseId: string; kind: OutcomeKind; detail: string | null; achievedOn: string; userId: string; now: Date }) {
    return db.insertInto('support_outcomes').values({
      lio_id: o.lioId, case_id: o.caseId, kind: o.kind, detail: o.detail, achieved_on: o.achievedOn, recorded_by_user_id: o.userId, created_at: o.now,
    }).returning('id').executeTakeFirstOrThrow();
  },

  outcomes(db: Queryable, caseId: string) {
    return db.selectFrom('support_outcomes').select(['id', 'kind', 'detail', asDay('achieved_on', 'achieved_on')]).where('case_id', '=', caseId).orderBy('achieved_on', 'desc').execute();
  },

  // --- Choices for the forms ---

  /** Advisers who may be given a case: active staff holding the adviser set, and admins. */
  advisers(db: Queryable) {
    return db.selectFrom('users').select(['id', 'display_name']).where('status', '=', 'active')
      .where((eb) => eb.or([eb('role', '=', 'admin'), eb.and([eb('role', '=', 'staff'), sql<boolean>`'adviser' = any(permission_sets)`])]))
      .orderBy('display_name').limit(500).execute();
  },

  /** Where the LIO's advisers (staff holding the set; admins are not told of each request) read their e-mail. */
  adviserAddresses(db: Queryable) {
    return db.selectFrom('users').select('email').where('status', '=', 'active').where('role', '=', 'staff')
      .where(sql<boolean>`'adviser' = any(permission_sets)`).orderBy('email').execute();
  },

  organisations(db: Queryable) {
    return db.selectFrom('organisations').select(['id', 'name']).orderBy('name').limit(2000).execute();
  },

  organisation(db: Queryable, id: string) {
    return db.selectFrom('organisations').select(['id', 'name']).where('id', '=', id).executeTakeFirst();
  },

  /** The person in use who holds this address (lower case), the oldest first: one e-mail, one person. */
  personByEmail(db: Queryable, email: string) {
    return this.personWhere(db, sql<boolean>`emails @> array[${email}]::text[]`);
  },

  /** The same by a phone number (digits from 0), for someone who gave no e-mail address. */
  personByPhone(db: Queryable, phone: string) {
    return this.personWhere(db, sql<boolean>`phones @> array[${phone}]::text[]`);
  },

  personWhere(db: Queryable, holds: ReturnType<typeof sql<boolean>>) {
    return db.selectFrom('people').select(['id', 'full_name', 'phones'])
      .where(holds).where('merged_into_id', 'is', null).where('erased_at', 'is', null)
      .orderBy('created_at').limit(1).executeTakeFirst();
  },

  /** A new person: by e-mail, by phone, or both (someone who rang may give no e-mail address). */
  insertPerson(db: Queryable, p: { lioId: string; fullName: string; email: string | null; phone: string | null; now: Date }) {
    return db.insertInto('people').values({
      lio_id: p.lioId, full_name: p.fullName, emails: p.email ? [p.email] : [], phones: p.phone ? [p.phone] : [],
      contact_methods: [...(p.email ? ['email' as const] : []), ...(p.phone ? ['phone' as const] : [])],
      created_at: p.now, updated_at: p.now,
    }).returning('id').executeTakeFirstOrThrow();
  },

  /** A person already held who asks again: a new phone is added to theirs, a missing name filled. */
  fillPerson(db: Queryable, id: string, p: { fullName: string; phone: string | null; now: Date }) {
    return db.updateTable('people').set({
      full_name: sql<string>`coalesce(full_name, ${p.fullName})`,
      phones: p.phone ? sql<string[]>`case when ${p.phone} = any(phones) then phones else array_append(phones, ${p.phone}) end` : sql<string[]>`phones`,
      updated_at: p.now,
    }).where('id', '=', id).execute();
  },

  userPerson(db: Queryable, userId: string) {
    return db.selectFrom('users').select(['person_id', 'email', 'display_name']).where('id', '=', userId).executeTakeFirst();
  },
};
