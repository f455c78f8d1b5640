import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';

export const deliveryHistoryRepository = {
  /** Services created by the end of the period, with their history up to it. */
  async servicesWithHistory(db: Queryable, to: string) {
    const services = await db.selectFrom('services').innerJoin('organisations as o', 'o.id', 'services.organisation_id')
      .select(['services.id', 'services.name', 'services.status', 'services.delivery_modes', 'o.name as organisation_name',
        sql<string>`to_char(services.created_at at time zone 'Europe/London', 'YYYY-MM-DD')`.as('created_on')])
      .where(sql<boolean>`(services.created_at at time zone 'Europe/London')::date <= ${to}::date`)
      .orderBy(sql`lower(services.name)`).orderBy('services.id').execute();
    const history = await db.selectFrom('service_delivery_changes')
      .select(['service_id', 'delivery_modes', 'status', sql<string>`to_char(changed_on, 'YYYY-MM-DD')`.as('changed_on')])
      .where(sql<boolean>`changed_on <= ${to}::date`).orderBy('service_id').orderBy('changed_on').orderBy('id').execute();
    return { services, history };
  },
};

export type ServicesWithHistory = Awaited<ReturnType<typeof deliveryHistoryRepository.servicesWithHistory>>;
