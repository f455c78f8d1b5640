import { sql, type RawBuilder } from 'kysely';
import { ERASED_LABEL, FORMER_USER_LABEL } from '../personal-data.js';

/** `= any(array)` keeps an empty list a plain false, and one parameter however many identifiers there are. */
export const anyOf = (values: string[]) => sql<string>`any(${values}::text[])`;

/** The same for record ids (uuid columns): `= any(ids)`. */
export const anyId = (ids: string[]) => sql<string>`any(${ids}::uuid[])`;

/** The answer of a look-up with nothing to look up by. */
export const none = Promise.resolve([]);

/**
 * Whether a history's "who acted" label names a person, for the retention rule that stops naming them after some years
 * (one rule for every history: the audit log, listing histories, imports). A label names a person when it is an
 * address (it has an @), or the name or sign-in address of one of the LIO's accounts; the labels the app writes for
 * its own work ('Retention job', 'Daily verification sweep') and the ones erasure and retention leave
 * ('Erased person', 'Former user') do not.
 */
export function namesAPerson(labelColumn: string): RawBuilder<boolean> {
  const label = sql.ref(labelColumn);
  return sql<boolean>`(${label} not in (${ERASED_LABEL}, ${FORMER_USER_LABEL}) and (${label} like '%@%'
    or lower(${label}) in (select lower(display_name) from users union select lower(email) from users)))`;
}
