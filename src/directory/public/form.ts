import type { DeliveryMode } from '../../platform/db/directory-schema.js';
import { list, str } from '../../platform/http/forms.js';
import { readPageNumber } from '../../platform/http/pagination.js';
import { DELIVERY_MODE_LABELS } from '../services/delivery-modes.js';

/** The search form of /find: its choices and how a query string is read and written back. */

export const PAGE_SIZE = 20;
export const DISTANCES = [1, 3, 5, 10, 25] as const;
export const UNITS = { miles: 1609.344, km: 1000 } as const;
export type Unit = keyof typeof UNITS;
export const DEFAULT_DISTANCE = 3;
export const DEFAULT_UNIT: Unit = 'miles';

export const DELIVERY_MODES = Object.keys(DELIVERY_MODE_LABELS) as DeliveryMode[];
export { DELIVERY_MODE_LABELS };

export interface SearchValues {
  q: string; category: string; postcode: string; distance: string; unit: string; locality: string;
  modes: string[]; open: boolean; free: boolean; age: string; page: number;
}

export function readSearch(query: unknown): SearchValues {
  return {
    q: str(query, 'q'), category: str(query, 'category'), postcode: str(query, 'postcode'),
    distance: str(query, 'distance'), unit: str(query, 'unit'), locality: str(query, 'locality'),
    modes: list(query, 'mode').map((m) => m.trim()).filter(Boolean),
    open: str(query, 'open') !== '', free: str(query, 'free') !== '', age: str(query, 'age'),
    page: readPageNumber(query),
  };
}

/** The search as a query string (page left out), in a fixed order, for pagination and "back to results" links. */
export function queryStringOf(v: SearchValues): string {
  const p = new URLSearchParams();
  if (v.q) p.set('q', v.q);
  if (v.category) p.set('category', v.category);
  if (v.postcode) p.set('postcode', v.postcode);
  if (v.postcode && v.distance) p.set('distance', v.distance);
  if (v.postcode && v.unit) p.set('unit', v.unit);
  if (v.locality) p.set('locality', v.locality);
  for (const m of v.modes) p.append('mode', m);
  if (v.open) p.set('open', 'now');
  if (v.free) p.set('free', 'yes');
  if (v.age) p.set('age', v.age);
  return p.toString();
}
