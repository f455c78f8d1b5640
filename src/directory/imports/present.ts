export const KIND_LABELS: Record<string, string> = {
  oruk: 'Open Referral feed', hsds_csv: 'HSDS CSV package', organisations_csv: 'Organisations spreadsheet', services_csv: 'Services spreadsheet',
  taxonomy: 'Taxonomy',
};

/** `row`: a spreadsheet's line, or where in a taxonomy file (“Term 3 (Food banks)”). */
export type ImportIssue = { level: string; record?: string; id?: string; name?: string; file?: string; row?: number | string; field?: string; message: string };

/** The counts of an import's report, one line per kind of record it touched. */
export function entityCounts(counts: Record<string, unknown>) {
  return ['services', 'organisations', 'locations', 'taxonomies', 'taxonomy_terms'].filter((k) => typeof counts[k] === 'object' && counts[k] !== null)
    .map((k) => ({ name: k.replace('_', ' '), ...(counts[k] as { created: number; updated: number }) }));
}

/** A running import's records so far, as its page shows them. */
export function progressOf(progress: Record<string, unknown>) {
  const n = (k: string) => (typeof progress[k] === 'number' ? progress[k] : 0);
  return { read: n('read'), written: n('written'), refused: n('refused'), message: typeof progress.message === 'string' ? progress.message : null };
}
