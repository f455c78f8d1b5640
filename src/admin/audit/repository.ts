import { sql, type SelectQueryBuilder } from 'kysely';
import { containing, escapeLike } from '../../platform/db/like.js';
import { isUuid } from '../../platform/validation/ids.js';
import type { Queryable } from '../../platform/db/index.js';
import type { DB } from '../../platform/db/schema.js';

export interface AuditFilter {
  action?: string;
  /** Part of a person's name or e-mail address (or of a label such as 'Daily verification sweep'). */
  person?: string;
  subjectType?: string;
  /** A record's id, or part of its name. */
  subject?: string;
  from?: Date;
  /** The first moment not included. */
  to?: Date;
}

/**
 * The records an entry can name: where a record of each type keeps its name, and the page that shows it. Entries
 * about other types (a route refused, a report exported) show their type and identifier as they were written.
 */
const SUBJECTS = {
  organisation: { table: 'organisations', name: 'name', href: (id: string) => `/organisations/${id}` },
  service: { table: 'services', name: 'name', href: (id: string) => `/services/${id}` },
  user: { table: 'users', name: 'display_name', href: (id: string) => `/admin/users/${id}` },
  api_token: { table: 'api_tokens', name: 'name', href: () => '/admin/api-tokens' },
  directory_import: { table: 'directory_imports', name: 'source', href: (id: string) => `/admin/imports/${id}` },
  taxonomy: { table: 'taxonomies', name: 'name', href: () => '/admin/taxonomy' },
  taxonomy_term: { table: 'taxonomy_terms', name: 'name', href: (id: string) => `/admin/taxonomy/terms/${id}/edit` },
  lio: { table: 'lios', name: 'name', href: () => null },
  // An erased person keeps their record, without a name: the log says 'Erased person' and no search by name finds them.
  person: { table: 'people', name: 'full_name', erased: 'erased_at', href: (id: string) => `/people/${id}` },
} as const satisfies Record<string, { table: keyof DB; name: string; erased?: string; href: (id: string) => string | null }>;
type SubjectType = keyof typeof SUBJECTS;
const isNamed = (type: string | null): type is SubjectType => type !== null && Object.hasOwn(SUBJECTS, type);
/** Types whose records can be found by part of their name. */
const SEARCHED_BY_NAME: SubjectType[] = ['organisation', 'service', 'user', 'person'];
const ERASED_NAME = 'Erased person';
/** The column that marks a record of the type as erased, when records of it can be. */
const erasedColumn = (type: SubjectType): string | undefined => ('erased' in SUBJECTS[type] ? (SUBJECTS[type] as { erased: string }).erased : undefined);

const NAME_BATCH = 5000;

function filtered(db: Queryable, f: AuditFilter): SelectQueryBuilder<DB & { e: DB['audit_events'] }, 'e', object> {
  let q = db.selectFrom('audit_events as e');
  if (f.action) q = q.where('e.action', 'like', `${escapeLike(f.action)}%`);
  if (f.person) {
    const like = containing(f.person);
    q = q.where(sql<boolean>`(e.actor_label ilike ${like} or e.actor_user_id in (select u.id from users u where u.display_name ilike ${like}))`);
  }
  if (f.subjectType) q = q.where('e.subject_type', '=', f.subjectType);
  if (f.subject) {
    const like = containing(f.subject);
    const types = f.subjectType ? SEARCHED_BY_NAME.filter((t) => t === f.subjectType) : SEARCHED_BY_NAME;
    const byName = types.map((t) => {
      const erased = erasedColumn(t);
      const notErased = erased ? sql` and r.${sql.ref(erased)} is null` : sql``;
      return sql<boolean>`(e.subject_type = ${t} and e.subject_id in (select r.id::text from ${sql.table(SUBJECTS[t].table)} r where r.${sql.ref(SUBJECTS[t].name)} ilike ${like}${notErased}))`;
    });
    q = q.where(sql<boolean>`(e.subject_id = ${f.subject}${sql.join(byName.map((b) => sql` or ${b}`), sql``)})`);
  }
  if (f.from) q = q.where('e.occurred_at', '>=', f.from);
  if (f.to) q = q.where('e.occurred_at', '<', f.to);
  return q;
}

const columns = (q: ReturnType<typeof filtered>) => q.leftJoin('users as u', 'u.id', 'e.actor_user_id')
  .select(['e.id', 'e.occurred_at', 'e.actor_user_id', 'e.actor_label', 'e.action', 'e.subject_type', 'e.subject_id', 'e.detail', 'u.display_name as actor_name'])
  .orderBy('e.occurred_at', 'desc').orderBy('e.id', 'desc');

export type AuditRow = Awaited<ReturnType<ReturnType<typeof columns>['execute']>>[number];
export interface SubjectName { name: string; href: string | null }

export const auditLogRepository = {
  async page(db: Queryable, f: AuditFilter, page: number, pageSize: number) {
    const total = Number((await filtered(db, f).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const rows = await columns(filtered(db, f)).limit(pageSize).offset((page - 1) * pageSize).execute();
    return { total, rows };
  },

  /** The newest `limit` entries that match, for a download. */
  all: (db: Queryable, f: AuditFilter, limit: number) => columns(filtered(db, f)).limit(limit).execute(),

  /** The names of the records the rows are about: one query per type of record, keyed 'type:id'. */
  async subjectNames(db: Queryable, rows: readonly { subject_type: string | null; subject_id: string | null }[]): Promise<Map<string, SubjectName>> {
    const byType = new Map<SubjectType, Set<string>>();
    for (const r of rows) {
      if (!isNamed(r.subject_type) || !r.subject_id || !isUuid(r.subject_id)) continue;
      const ids = byType.get(r.subject_type) ?? new Set<string>();
      byType.set(r.subject_type, ids.add(r.subject_id.toLowerCase()));
    }
    const names = new Map<string, SubjectName>();
    for (const [type, ids] of byType) {
      const { table, name, href } = SUBJECTS[type];
      const erased = erasedColumn(type);
      const shown = erased ? sql`case when ${sql.ref(erased)} is null then ${sql.ref(name)} else ${ERASED_NAME} end` : sql.ref(name);
      const all = [...ids];
      // A page of entries is one query per type; a long download goes in slices, under PostgreSQL's limit on parameters.
      for (let i = 0; i < all.length; i += NAME_BATCH) {
        const { rows: found } = await sql<{ id: string; name: string }>`select id::text as id, ${shown} as name from ${sql.table(table)}
          where id in (${sql.join(all.slice(i, i + NAME_BATCH))})`.execute(db);
        for (const r of found) names.set(`${type}:${r.id}`, { name: r.name, href: href(r.id) });
      }
    }
    return names;
  },

  actions: async (db: Queryable) => (await db.selectFrom('audit_events').select('action').distinct().orderBy('action').execute()).map((r) => r.action),
  subjectTypes: async (db: Queryable) => (await db.selectFrom('audit_events').select('subject_type').distinct().where('subject_type', 'is not', null).orderBy('subject_type').execute())
    .map((r) => r.subject_type!),
};
