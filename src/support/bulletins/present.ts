import type { BulletinItem, BulletinStatus } from '../../platform/db/support-schema.js';
import { THEMES } from '../../platform/vocabulary/themes.js';
import { BULLETIN_SEGMENTS } from '../vocabulary.js';
import { courseItem, fundingItem, itemKey, STORIES, type BulletinValues, type Candidates } from './form.js';
import type { BulletinListRow, BulletinRow } from './repository.js';

const STATUS: Record<BulletinStatus, { text: string; tag: string }> = {
  draft: { text: 'Draft', tag: 'govuk-tag--grey' }, sending: { text: 'Sending', tag: 'govuk-tag--blue' }, sent: { text: 'Sent', tag: 'govuk-tag--green' },
};
const KIND: Record<BulletinItem['kind'], string> = { funding: 'Funding', course: 'Training', story: '' };

export function segmentText(segment: keyof typeof BULLETIN_SEGMENTS, value: string | null): string {
  if (segment === 'groups_by_theme') return `Groups working on ${THEMES[value ?? ''] ?? value}`;
  if (segment === 'groups_by_area') return `Groups serving ${value}`;
  return BULLETIN_SEGMENTS[segment];
}

/** The compose form's items: each candidate with its place ('Leave out', 1 …). */
export function composeModel(values: BulletinValues, candidates: Candidates & { areas: string[] }) {
  const places = candidates.funding.length + candidates.sessions.length + STORIES;
  const positions = (chosen: string) => [{ value: '', text: 'Leave out', selected: chosen === '' },
    ...Array.from({ length: places }, (_v, i) => ({ value: String(i + 1), text: `Place ${i + 1}`, selected: chosen === String(i + 1) }))];
  const entry = (key: string, item: BulletinItem) => ({ key, title: item.title, hint: item.body.length > 160 ? `${item.body.slice(0, 157)}…` : item.body, positions: positions(values[key] ?? '') });
  return {
    funding: candidates.funding.map((f) => entry(itemKey('funding', f.id), fundingItem(f))),
    sessions: candidates.sessions.map((s) => entry(itemKey('course', s.id), courseItem(s))),
    stories: Array.from({ length: STORIES }, (_v, i) => ({
      n: i + 1, title: values[`story${i + 1}Title`] ?? '', body: values[`story${i + 1}Body`] ?? '', url: values[`story${i + 1}Url`] ?? '',
      positions: positions(values[`story${i + 1}Position`] ?? ''),
    })),
    themeItems: [{ value: '', text: 'Choose a theme' }, ...Object.entries(THEMES).map(([value, text]) => ({ value, text, selected: values.theme === value }))],
    areaExample: candidates.areas[0] ?? null,
  };
}

export function listRows(rows: BulletinListRow[]) {
  return rows.map((r) => ({
    id: r.id, subject: r.subject, segment: segmentText(r.segment, r.segment_value), status: STATUS[r.status].text, tagClass: STATUS[r.status].tag,
    sent: r.status === 'draft' ? '' : `${r.sent} of ${r.recipients_count}`, opened: r.status === 'draft' ? '' : r.opened,
  }));
}

/** The bulletin as a reader sees it: the introduction's paragraphs and each item. */
export function contentOf(b: { introduction: string; items: BulletinItem[] }) {
  return {
    introduction: b.introduction.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean),
    items: b.items.map((i) => ({ ...i, kindLabel: KIND[i.kind] })),
  };
}

const n = (count: number, one: string, many: string) => `${count.toLocaleString('en-GB')} ${count === 1 ? one : many}`;

export function showModel(b: BulletinRow, counts: { queued: number; sent: number; failed: number; unknown: number; opened: number }, reach: number | null) {
  const row = (key: string, value: string) => ({ key: { text: key }, value: { text: value } });
  const facts = [row('Goes to', segmentText(b.segment, b.segment_value))];
  if (b.status === 'draft') facts.push(row('Addresses it would reach now', n(reach ?? 0, 'address', 'addresses')));
  else {
    facts.push(row('Recipients', n(b.recipients_count, 'address', 'addresses')), row('Sent', counts.sent.toLocaleString('en-GB')),
      row('Opened', `${counts.opened.toLocaleString('en-GB')}${counts.sent ? ` (${Math.round((100 * counts.opened) / counts.sent)}% of those sent)` : ''}`));
    if (counts.queued) facts.push(row('Waiting to be sent', counts.queued.toLocaleString('en-GB')));
    if (counts.failed) facts.push(row('Refused by the mail server', counts.failed.toLocaleString('en-GB')));
    // Claimed when a restart cut the sending short: they may have had it, so they were not sent a second copy.
    if (counts.unknown) facts.push(row('Not known whether sent (sending was interrupted)', counts.unknown.toLocaleString('en-GB')));
  }
  return {
    id: b.id, title: b.subject, draft: b.status === 'draft', statusLabel: STATUS[b.status].text, facts, reach: reach ?? 0,
    reachText: n(reach ?? 0, 'address', 'addresses'), content: contentOf(b),
  };
}
