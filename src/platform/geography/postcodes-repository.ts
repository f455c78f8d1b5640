import { sql } from 'kysely';
import type { Queryable } from '../db/index.js';

/**
 * The shared `postcodes` table (reference data of every LIO, keyed by the compact postcode, "LS11UR"): read by
 * searches and the register, filled by the ONS Postcode Directory import and by look-ups the postcodes service answered.
 */

/** Columns of postcodes, one array each, written by one statement. */
export interface PostcodeBatch {
  postcode: string[]; latitude: number[]; longitude: number[]; ward: (string | null)[]; la: (string | null)[]; lsoa: (string | null)[];
  imd: (number | null)[]; terminated: (string | null)[];
}

export const postcodesRepository = {
  find: (db: Queryable, compact: string) =>
    db.selectFrom('postcodes').select(['latitude', 'longitude', 'terminated_on']).where('postcode', '=', compact).executeTakeFirst(),

  /** Keeps a postcode the postcodes service knew, so the next look-up is local; one already held stays as it is. */
  remember: (db: Queryable, row: { postcode: string; latitude: number; longitude: number; terminatedOn: string | null }) =>
    db.insertInto('postcodes').values({ postcode: row.postcode, latitude: row.latitude, longitude: row.longitude, terminated_on: row.terminatedOn })
      .onConflict((oc) => oc.column('postcode').doNothing()).execute(),

  /** Adds or updates a batch of the ONS Postcode Directory. */
  async writeBatch(db: Queryable, b: PostcodeBatch): Promise<void> {
    await sql`
      insert into postcodes (postcode, latitude, longitude, ward_code, local_authority_code, lsoa_code, imd_rank, terminated_on)
      select * from unnest(${b.postcode}::text[], ${b.latitude}::float8[], ${b.longitude}::float8[], ${b.ward}::text[], ${b.la}::text[],
        ${b.lsoa}::text[], ${b.imd}::int[], ${b.terminated}::date[])
      on conflict (postcode) do update set latitude = excluded.latitude, longitude = excluded.longitude, ward_code = excluded.ward_code,
        local_authority_code = excluded.local_authority_code, lsoa_code = excluded.lsoa_code, imd_rank = excluded.imd_rank,
        terminated_on = excluded.terminated_on`.execute(db);
  },
};
