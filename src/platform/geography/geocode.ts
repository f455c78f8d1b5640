import type { Database, Queryable } from '../db/index.js';
import { compactPostcode, formatPostcode } from '../validation/postcodes.js';
import { postcodesRepository } from './postcodes-repository.js';

/**
 * Postcode geocoding: the local `postcodes` table (imported from the ONS Postcode Directory with
 * `commonground import postcodes FILE`), optionally falling back to a postcodes.io-compatible HTTP
 * service for postcodes the table does not hold. Postcodes are stored without spaces, in capitals.
 */

export type GeocodeResult =
  | { status: 'found'; latitude: number; longitude: number; postcode: string; terminated: boolean }
  | { status: 'malformed' }
  | { status: 'unknown' }
  | { status: 'no_coordinates' };

/** What to tell a person about a postcode that could not be used, in plain words. */
export function postcodeMessage(status: 'malformed' | 'unknown' | 'no_coordinates', entered: string): string {
  switch (status) {
    case 'malformed': return 'Enter a real postcode, like LS1 1UR';
    case 'unknown': return `We could not find the postcode ${entered.toUpperCase()}. Check it and try again, or search without a postcode`;
    case 'no_coordinates': return `We do not know where the postcode ${entered.toUpperCase()} is on a map. Try a nearby postcode, or search without a postcode`;
  }
}

export interface GeocodeOptions {
  /** base address of a postcodes.io-compatible service (config POSTCODES_API_URL); null: the local table only */
  apiUrl?: string | null;
  timeoutMs?: number;
  /** keep postcodes found by the service in the local table, so the next look-up is local */
  remember?: boolean;
}

/**
 * The local table only, for a postcode already normalised. Any connection can read it (the app role
 * may select the shared table), so a search looks it up inside its own tenant transaction.
 */
export async function lookupPostcode(db: Queryable, compact: string): Promise<GeocodeResult> {
  const row = await postcodesRepository.find(db, compact);
  if (!row) return { status: 'unknown' };
  if (row.latitude === null || row.longitude === null) return { status: 'no_coordinates' };
  return { status: 'found', latitude: row.latitude, longitude: row.longitude, postcode: formatPostcode(compact), terminated: row.terminated_on !== null };
}

export async function geocodePostcode(db: Database, postcode: string, options: GeocodeOptions = {}): Promise<GeocodeResult> {
  const compact = compactPostcode(postcode);
  if (!compact) return { status: 'malformed' };
  // The postcodes table is reference data shared by every LIO (no tenant rows), so it is read on the owner connection.
  const local = await lookupPostcode(db.system, compact);
  if (local.status !== 'unknown' || !options.apiUrl) return local;
  const remote = await askService(options.apiUrl, compact, options.timeoutMs ?? 3000);
  if (remote.status === 'found' && options.remember !== false) {
    await postcodesRepository.remember(db.system, { postcode: compact, latitude: remote.latitude, longitude: remote.longitude, terminatedOn: remote.terminatedOn });
  }
  if (remote.status === 'found') {
    return { status: 'found', latitude: remote.latitude, longitude: remote.longitude, postcode: formatPostcode(compact), terminated: remote.terminatedOn !== null };
  }
  return remote;
}

type RemoteResult = { status: 'found'; latitude: number; longitude: number; terminatedOn: string | null } | { status: 'unknown' } | { status: 'no_coordinates' };

/**
 * postcodes.io answers `GET /postcodes/{postcode}` for live postcodes and `GET /terminated_postcodes/{postcode}`
 * for terminated ones, each `{ status: 200, result: { latitude, longitude, … } }` or a 404. A service that
 * cannot be reached, is slow, or answers something else counts as not knowing the postcode.
 */
async function askService(apiUrl: string, compact: string, timeoutMs: number): Promise<RemoteResult> {
  const live = await getJson(`${apiUrl}/postcodes/${encodeURIComponent(compact)}`, timeoutMs);
  const liveResult = coordinates(live);
  if (liveResult) return { ...liveResult, terminatedOn: null };
  if (live && live.status === 200) return { status: 'no_coordinates' };
  const terminated = await getJson(`${apiUrl}/terminated_postcodes/${encodeURIComponent(compact)}`, timeoutMs);
  const terminatedResult = coordinates(terminated);
  if (terminatedResult) {
    const result = (terminated!.body as { result?: { year_terminated?: unknown; month_terminated?: unknown } }).result ?? {};
    const year = Number(result.year_terminated);
    const month = Number(result.month_terminated);
    const on = Number.isInteger(year) && year > 1900 && Number.isInteger(month) && month >= 1 && month <= 12
      ? `${year}-${String(month).padStart(2, '0')}-01` : `${new Date().getUTCFullYear()}-01-01`;
    return { ...terminatedResult, terminatedOn: on };
  }
  if (terminated && terminated.status === 200) return { status: 'no_coordinates' };
  return { status: 'unknown' };
}

function coordinates(response: { status: number; body: unknown } | null): { status: 'found'; latitude: number; longitude: number } | null {
  if (!response || response.status !== 200) return null;
  const result = (response.body as { result?: { latitude?: unknown; longitude?: unknown } } | null)?.result;
  const latitude = result?.latitude;
  const longitude = result?.longitude;
  if (typeof latitude !== 'number' || typeof longitude !== 'number' || !Number.isFinite(latitude) || !Number.isFinite(longitude)) return null;
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return null;
  return { status: 'found', latitude, longitude };
}

async function getJson(url: string, timeoutMs: number): Promise<{ status: number; body: unknown } | null> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
    const text = await response.text();
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
    return { status: response.status, body };
  } catch {
    return null;
  }
}
