import type { Queryable } from '../../platform/db/index.js';

/**
 * Finding a volunteer with their person record (name, e-mails, phones, postcode, date of birth): the one query every
 * volunteering feature starts from. A signed-in volunteer is found through their account's person.
 */
export const volunteersRepository = {
  selectVolunteer(db: Queryable) {
    return db.selectFrom('volunteers as v').innerJoin('people as p', 'p.id', 'v.person_id')
      .selectAll('v')
      .select(['p.full_name', 'p.preferred_name', 'p.emails', 'p.phones', 'p.postcode', 'p.date_of_birth', 'p.contact_methods']);
  },

  byId(db: Queryable, id: string) {
    return this.selectVolunteer(db).where('v.id', '=', id).executeTakeFirst();
  },

  /** The volunteer record of a signed-in person, if they have one. */
  ofUser(db: Queryable, userId: string) {
    return this.selectVolunteer(db).where('v.person_id', '=', (eb) => eb.selectFrom('users').select('person_id').where('users.id', '=', userId)).executeTakeFirst();
  },
};
export type VolunteerWithPerson = NonNullable<Awaited<ReturnType<typeof volunteersRepository.byId>>>;
