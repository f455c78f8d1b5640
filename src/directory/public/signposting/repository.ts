import { sql } from 'kysely';
import type { Queryable } from '../../../platform/db/index.js';
import { publishedIds } from '../repository.js';

/** All SQL of signposting lists: a list, its services in order, and its e-mails. */
export const signpostingRepository = {
  /** A published service's name, to name what was added; undefined when it is not published (published.ts). */
  async publishedServiceName(db: Queryable, serviceId: string): Promise<string | undefined> {
    if (!(await publishedIds(db, [serviceId])).has(serviceId)) return undefined;
    return (await db.selectFrom('services').select('name').where('id', '=', serviceId).executeTakeFirstOrThrow()).name;
  },

  findByCode: (db: Queryable, code: string) =>
    db.selectFrom('signposting_lists').select(['id', 'share_code', 'title', 'created_by', 'created_at', 'updated_at']).where('share_code', '=', code).executeTakeFirst(),

  create: (db: Queryable, values: { lioId: string; code: string; title: string | null; createdBy: string | null; now: Date }) =>
    db.insertInto('signposting_lists').values({
      lio_id: values.lioId, share_code: values.code, ...(values.title ? { title: values.title } : {}), created_by: values.createdBy, created_at: values.now, updated_at: values.now,
    }).returning(['id', 'share_code', 'title', 'created_by', 'created_at', 'updated_at']).executeTakeFirstOrThrow(),

  serviceIds: async (db: Queryable, listId: string) =>
    (await db.selectFrom('signposting_list_items').select('service_id').where('list_id', '=', listId).orderBy('position').orderBy('service_id').execute()).map((r) => r.service_id),

  /** Adds at the end; a service already on the list stays where it is. */
  addItem: async (db: Queryable, lioId: string, listId: string, serviceId: string, now: Date) => {
    const inserted = await sql<{ service_id: string }>`
      insert into signposting_list_items (list_id, lio_id, service_id, position)
      select ${listId}::uuid, ${lioId}::uuid, ${serviceId}::uuid, coalesce(max(position), 0) + 1 from signposting_list_items where list_id = ${listId}::uuid
      on conflict (list_id, service_id) do nothing
      returning service_id`.execute(db);
    await db.updateTable('signposting_lists').set({ updated_at: now }).where('id', '=', listId).execute();
    return inserted.rows.length > 0;
  },

  removeItem: async (db: Queryable, listId: string, serviceId: string, now: Date) => {
    const result = await db.deleteFrom('signposting_list_items').where('list_id', '=', listId).where('service_id', '=', serviceId).executeTakeFirst();
    await db.updateTable('signposting_lists').set({ updated_at: now }).where('id', '=', listId).execute();
    return Number(result.numDeletedRows) > 0;
  },

  sendsSince: async (db: Queryable, listId: string, since: Date) =>
    Number((await db.selectFrom('signposting_list_sends').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('list_id', '=', listId).where('sent_at', '>=', since).executeTakeFirstOrThrow()).n),

  recordSend: (db: Queryable, lioId: string, listId: string, at: Date) =>
    db.insertInto('signposting_list_sends').values({ lio_id: lioId, list_id: listId, sent_at: at }).execute(),

  /** The lists a member of staff made, newest first, with how many services each holds. */
  listsBy: (db: Queryable, userId: string, limit: number) =>
    db.selectFrom('signposting_lists as l')
      .select(['l.id', 'l.share_code', 'l.title', 'l.created_at', 'l.updated_at',
        (eb) => eb.selectFrom('signposting_list_items as i').select((e) => e.fn.countAll<number>().as('n')).whereRef('i.list_id', '=', 'l.id').as('items')])
      .where('l.created_by', '=', userId).orderBy('l.created_at', 'desc').orderBy('l.id').limit(limit).execute(),
};
