import { FormErrors } from '../../platform/http/forms.js';
import { type HsdsSchedule, type HsdsService } from '../services/repository.js';
import { DELIVERY_MODE_LABELS } from '../services/delivery-modes.js';
import { openingSummary, openingWeek, type LocalNow, type OpeningSummary } from './opening.js';
import { type TermRow } from './repository.js';
import { UNITS, type SearchValues, type Unit } from './form.js';

/** How /find shows its results and a service's page, in plain words. */

export interface ResultView {
  id: string; name: string; organisationName: string; summary: string; temporarilyClosed: boolean;
  distance: string | null; place: string | null; latitude: number | null; longitude: number | null; hasPoint: boolean;
  /** A short name for the place, to label its marker on a map drawn without tiles: the place's own name, its street or its town. */
  placeName: string | null;
  opening: OpeningSummary | null; modes: string[]; isFree: boolean;
}

export interface Choice { value: string; text: string }

export interface SearchPage {
  values: SearchValues;
  errors: FormErrors;
  /** false when nothing was asked yet: the page offers categories to browse */
  searched: boolean;
  results: ResultView[];
  total: number;
  capped: boolean;
  pages: number;
  categories: Choice[];
  topCategories: Choice[];
  localities: string[];
  near: { postcode: string; terminated: boolean; latitude: number; longitude: number; distanceText: string } | null;
  /** the query string of this search without the page, for links to other pages */
  queryString: string;
}

export function formatDistance(metres: number, unit: Unit): string {
  const value = metres / UNITS[unit];
  if (unit === 'km') return value < 0.1 ? 'less than 0.1 km' : `${value.toFixed(1)} km`;
  if (value < 0.1) return 'less than 0.1 miles';
  const shown = value.toFixed(1);
  return `${shown} ${shown === '1.0' ? 'mile' : 'miles'}`;
}

export function categoryChoices(terms: TermRow[]): { all: Choice[]; top: Choice[] } {
  const ids = new Set(terms.map((t) => t.id));
  const children = new Map<string, TermRow[]>();
  for (const t of terms) {
    if (t.parent_id && ids.has(t.parent_id)) children.set(t.parent_id, [...(children.get(t.parent_id) ?? []), t]);
  }
  const roots = terms.filter((t) => !t.parent_id || !ids.has(t.parent_id));
  const all: Choice[] = [];
  const seen = new Set<string>();
  const walk = (t: TermRow, depth: number) => {
    if (seen.has(t.id)) return;
    seen.add(t.id);
    // Em spaces indent a term under its parent; screen readers pass over them.
    all.push({ value: t.id, text: `${'\u2003'.repeat(depth)}${t.name}` });
    for (const c of children.get(t.id) ?? []) walk(c, depth + 1);
  };
  for (const r of roots) walk(r, 0);
  return { all, top: roots.map((r) => ({ value: r.id, text: r.name })) };
}

/** A term and every term below it, from the LIO's terms already read. */
export function descendantsOf(terms: TermRow[], termId: string): string[] {
  const found = [termId];
  for (let i = 0; i < found.length; i++) for (const t of terms) if (t.parent_id === found[i] && !found.includes(t.id)) found.push(t.id);
  return found;
}

export const roundCoordinate = (value: number | null | undefined) => (value == null ? null : Math.round(value * 1e5) / 1e5);

export const excerpt = (text: string, max = 180) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), max - 20))}…`;
};

// ---------------------------------------------------------------------------------------------------
// A service in plain words
// ---------------------------------------------------------------------------------------------------

export interface PlaceView {
  name: string | null; lines: string[]; postcode: string | null; address: string; accessibility: string[]; mapUrl: string | null;
  latitude: number | null; longitude: number | null; phones: PhoneView[];
  opening: { week: { day: string; hours: string }[]; sessions: { date: string; hours: string; description: string | null }[]; notes: string[] } | null;
}

export interface ServiceDetail {
  id: string; name: string; organisationName: string; organisationWebsite: string | null;
  paragraphs: string[]; temporarilyClosed: boolean; alert: string | null;
  modes: string[]; howToUse: string[]; eligibility: string | null;
  phones: PhoneView[]; email: string | null; website: string | null;
  contacts: { name: string; email: string | null; phones: PhoneView[] }[];
  places: PlaceView[];
  opening: { summary: OpeningSummary | null; week: { day: string; hours: string }[]; sessions: { date: string; hours: string; description: string | null }[]; notes: string[] };
  isFree: boolean; costs: string[]; feesDescription: string | null;
  languages: string[]; areas: string[]; categories: string[];
}

const money = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP' });

export function eligibilityText(min: number | null, max: number | null): string | null {
  if (min !== null && max !== null) return `For people aged ${min} to ${max}`;
  if (min !== null) return min === 0 ? null : `For people aged ${min} and over`;
  if (max !== null) return `For people aged up to ${max}`;
  return null;
}

export interface PhoneView { text: string; tel: string }
const phoneText = (p: { number: string; extension: string | null; description: string | null }): PhoneView => ({
  text: `${p.number}${p.extension ? ` extension ${p.extension}` : ''}${p.description ? ` (${p.description})` : ''}`,
  tel: p.number.replace(/[^0-9+]/g, ''),
});

const dateText = (d: string) => new Date(`${d}T12:00:00Z`).toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

export function serviceDetail(s: HsdsService, now: LocalNow): ServiceDetail {
  const allSchedules: HsdsSchedule[] = [...s.schedules, ...s.service_at_locations.flatMap((sal) => sal.schedules)];
  const week = openingWeek(s.schedules, now.date);
  const phones = [...s.phones, ...s.contacts.flatMap((c) => (c.name ? [] : c.phones))].map(phoneText);
  const firstPhone = phones[0]?.text ?? s.service_at_locations.flatMap((sal) => sal.location.phones)[0]?.number ?? s.organization.phone ?? null;
  const places: PlaceView[] = s.service_at_locations.map((sal) => {
    const l = sal.location;
    const address = l.addresses[0];
    const own = sal.schedules.length ? openingWeek(sal.schedules, now.date) : null;
    const lines = address ? [address.address_1, address.address_2, address.city].filter((x): x is string => Boolean(x)) : [];
    return {
      name: l.name,
      lines,
      postcode: address?.postal_code ?? null,
      address: [l.name, ...lines, address?.postal_code].filter(Boolean).join(', '),
      accessibility: l.accessibility.flatMap((a) => [a.description, a.details]).filter((x): x is string => Boolean(x)),
      mapUrl: l.latitude !== null && l.longitude !== null ? `https://www.openstreetmap.org/?mlat=${l.latitude.toFixed(5)}&mlon=${l.longitude.toFixed(5)}#map=17/${l.latitude.toFixed(5)}/${l.longitude.toFixed(5)}` : null,
      latitude: l.latitude, longitude: l.longitude,
      phones: l.phones.map(phoneText),
      opening: own ? { week: own.week, sessions: own.sessions.map((x) => ({ ...x, date: dateText(x.date) })), notes: own.notes } : null,
    };
  });
  const howToUse: string[] = [];
  for (const mode of s.delivery_modes) {
    if (mode === 'in_person') howToUse.push(places.length ? 'Go there in person: the address is below.' : 'Meet them in person: contact them to find out where.');
    if (mode === 'phone') howToUse.push(firstPhone ? `Phone them on ${firstPhone}.` : 'Talk to them by phone.');
    if (mode === 'online') howToUse.push(s.url ? 'Use the service online, on their website.' : 'Use the service online.');
    if (mode === 'home_visit') howToUse.push('Someone can visit you at home.');
  }
  const costs = s.cost_options.map((c) => {
    const amount = c.amount === null ? null : c.amount === 0 ? 'Free' : money.format(c.amount);
    return [amount, c.option, c.amount_description].filter(Boolean).join(' – ');
  }).filter(Boolean);
  return {
    id: s.id, name: s.name, organisationName: s.organization.name, organisationWebsite: s.organization.website,
    paragraphs: s.description.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean),
    temporarilyClosed: s.status === 'temporarily closed', alert: s.alert,
    modes: s.delivery_modes.map((m) => DELIVERY_MODE_LABELS[m]), howToUse, eligibility: eligibilityText(s.minimum_age, s.maximum_age),
    phones, email: s.email ?? s.contacts.find((c) => c.email)?.email ?? null, website: s.url,
    contacts: s.contacts.filter((c) => c.name).map((c) => ({ name: [c.name, c.title ? `(${c.title})` : null].filter(Boolean).join(' '), email: c.email, phones: c.phones.map(phoneText) })),
    places,
    opening: { summary: s.status === 'temporarily closed' ? null : openingSummary(allSchedules, now), week: week.week, sessions: week.sessions.map((x) => ({ ...x, date: dateText(x.date) })), notes: week.notes },
    isFree: s.is_free, costs, feesDescription: s.fees_description,
    languages: s.languages.map((l) => l.name ?? l.code).filter((x): x is string => Boolean(x)),
    areas: s.service_areas.map((a) => a.name).filter((x): x is string => Boolean(x)),
    categories: s.attributes.map((a) => a.taxonomy_term.name),
  };
}
