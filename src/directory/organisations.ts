import type { Database, Queryable } from '../platform/db/index.js';
import type { Clock } from '../platform/clock.js';
import { recordAudit, type Actor } from '../platform/audit.js';
import { FormErrors, checkText } from '../platform/http/forms.js';

/** The register of local groups. The directory issue grows this; the foundation needs names for group members. */
export const organisationsRepository = {
  list: (db: Queryable, limit: number, offset: number) =>
    db.selectFrom('organisations').select(['id', 'name', 'created_at', 'updated_at']).orderBy('name').orderBy('id').limit(limit).offset(offset).execute(),
  count: async (db: Queryable) => Number((await db.selectFrom('organisations').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n),
  find: (db: Queryable, id: string) => db.selectFrom('organisations').select(['id', 'name', 'created_at', 'updated_at']).where('id', '=', id).executeTakeFirst(),
  insert: (db: Queryable, lioId: string, name: string, now: Date) =>
    db.insertInto('organisations').values({ lio_id: lioId, name, created_at: now, updated_at: now }).returning(['id', 'name', 'created_at', 'updated_at']).executeTakeFirstOrThrow(),
};

export class OrganisationsService {
  constructor(private readonly deps: { db: Database; clock: Clock }) {}

  /** Callers check permission (session policy or API token scope) before calling. */
  async list(lioId: string, page: number, pageSize: number) {
    return this.deps.db.withTenant(lioId, async (tx) => ({
      total: await organisationsRepository.count(tx),
      items: await organisationsRepository.list(tx, pageSize, (page - 1) * pageSize),
    }));
  }

  find(lioId: string, id: string) {
    return this.deps.db.withTenant(lioId, (tx) => organisationsRepository.find(tx, id));
  }

  async create(lioId: string, actor: Actor, name: string) {
    const errors = new FormErrors();
    checkText(errors, 'name', name, 'the organisation’s name', 300);
    if (errors.any) return { errors };
    const now = this.deps.clock.now();
    const organisation = await this.deps.db.withTenant(lioId, async (tx) => {
      const row = await organisationsRepository.insert(tx, lioId, name, now);
      await recordAudit(tx, lioId, actor, { action: 'organisation.created', subjectType: 'organisation', subjectId: row.id }, now);
      return row;
    });
    return { errors, organisation };
  }
}
