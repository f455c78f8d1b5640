import type { Permission } from '../../platform/auth/policy.js';
import type { PersonalDataSection } from '../../platform/personal-data.js';
import type { Candidate } from '../duplicates/repository.js';
import type { ProviderSections } from './service.js';

/**
 * What the person page and the readable export show of each provider: its sections as summary lists, empty ones said
 * so. For the page (`page` given), `may` leaves out the sections the viewer may not see and a long section shows only
 * its latest records with a link to the rest; the export, for the person, holds every section and every record.
 */
export function heldView(held: ProviderSections[], page?: { may: (permission: Permission) => boolean }) {
  const visible = (s: PersonalDataSection) => !page || !s.permission || page.may(s.permission);
  const capped = (s: PersonalDataSection) => Boolean(page && s.onPage && s.records.length > s.onPage.latest);
  return held.map((provider) => ({ ...provider, sections: provider.sections.filter(visible) })).map((p) => ({
    key: p.key,
    title: p.title,
    retention: p.retention,
    sections: p.sections.map((s) => ({
      heading: s.heading,
      records: (capped(s) ? s.records.slice(-s.onPage!.latest) : s.records)
        .map((r) => ({ title: r.title, rows: r.fields.map((f) => ({ key: { text: f.label }, value: { text: f.value || '–' } })) })),
      more: capped(s) ? { ...s.onPage!.more, shown: s.onPage!.latest, total: s.records.length } : null,
    })),
    holdsNothing: p.sections.every((s) => s.records.length === 0),
  }));
}

const REASONS: [keyof Pick<Candidate, 'same_email' | 'same_phone' | 'similar_name'>, string][] = [
  ['same_email', 'same email address'], ['same_phone', 'same phone number'], ['similar_name', 'similar name, same date of birth or postcode'],
];

/** Why two records look like one person, in words. */
export const reasonsOf = (c: Pick<Candidate, 'same_email' | 'same_phone' | 'similar_name'>) => REASONS.filter(([k]) => c[k]).map(([, text]) => text).join('; ');

export const duplicatesView = (candidates: Candidate[]) => candidates.map((c) => ({ id: c.id, name: c.full_name, reasons: reasonsOf(c) }));

/** A row count by table as a sentence for the flash message: '1 people, 2 contacts'. */
export function countsText(counts: Record<string, number>): string {
  const parts = Object.entries(counts).map(([table, n]) => `${table.replaceAll('_', ' ')}: ${n}`);
  return parts.length ? parts.join(', ') : 'nothing';
}

/** The machine-readable export: one JSON document, stable keys, ISO dates. */
export function exportDocument(meta: { lio: { id: string; name: string }; personId: string; exportedAt: Date }, providers: Record<string, unknown>): string {
  return JSON.stringify({ format: 'common-ground/subject-access-export/1', lio: meta.lio, personId: meta.personId, exportedAt: meta.exportedAt.toISOString(), providers }, null, 2);
}
