import { FormErrors, checkText, str } from '../../platform/http/forms.js';
import { isWebAddress } from '../../platform/validation/web-addresses.js';
import { THEMES } from '../../platform/vocabulary/themes.js';
import type { BulletinItem, BulletinSegment } from '../../platform/db/support-schema.js';
import { BULLETIN_SEGMENTS } from '../vocabulary.js';
import type { BulletinDraft, OpenFunding, UpcomingSession } from './repository.js';
import { penceText } from '../../platform/money.js';

/** Free-text stories a bulletin may carry beside the funding and training items. */
export const STORIES = 3;
const BASE_FIELDS = ['subject', 'introduction', 'segment', 'theme', 'area'] as const;
const storyFields = (n: number) => [`story${n}Title`, `story${n}Body`, `story${n}Url`, `story${n}Position`];

/** The form as typed: the fixed fields, each story's, and a position ('' to leave out) for each candidate item by `funding-<id>` / `course-<id>`. */
export type BulletinValues = Record<string, string>;

export interface Candidates { funding: OpenFunding[]; sessions: UpcomingSession[] }

export const itemKey = (kind: 'funding' | 'course', id: string) => `position-${kind}-${id}`;

export function bulletinValues(body: unknown, candidates: Candidates): BulletinValues {
  const fields = [...BASE_FIELDS, ...Array.from({ length: STORIES }, (_v, i) => storyFields(i + 1)).flat(),
    ...candidates.funding.map((f) => itemKey('funding', f.id)), ...candidates.sessions.map((s) => itemKey('course', s.id))];
  return Object.fromEntries(fields.map((f) => [f, str(body, f)]));
}

/** A stored bulletin as the form shows it again: its items' positions, its stories in their boxes. */
export function valuesOfBulletin(b: { subject: string; introduction: string; items: BulletinItem[]; segment: BulletinSegment; segment_value: string | null }): BulletinValues {
  const values: BulletinValues = {
    subject: b.subject, introduction: b.introduction, segment: b.segment,
    theme: b.segment === 'groups_by_theme' ? b.segment_value ?? '' : '', area: b.segment === 'groups_by_area' ? b.segment_value ?? '' : '',
  };
  let story = 0;
  b.items.forEach((item, i) => {
    if (item.kind === 'story' && story < STORIES) {
      story++;
      Object.assign(values, { [`story${story}Title`]: item.title, [`story${story}Body`]: item.body, [`story${story}Url`]: item.url ?? '', [`story${story}Position`]: String(i + 1) });
    } else if (item.kind !== 'story' && item.id) values[itemKey(item.kind, item.id)] = String(i + 1);
  });
  return values;
}

const pounds = (v: string | null) => (v === null ? null : `£${Number(v).toLocaleString('en-GB', { maximumFractionDigits: 0 })}`);
const longDay = (d: string | Date) => new Date(typeof d === 'string' ? `${d}T12:00:00Z` : d).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' });
const time = (d: Date) => new Date(d).toLocaleTimeString('en-GB', { hour: 'numeric', minute: '2-digit', hour12: true, timeZone: 'Europe/London' }).replace(':00', '').replace(' ', '');

/** A funding opportunity as a bulletin item: copied, so the archive shows what was sent whatever changes later. */
export function fundingItem(f: OpenFunding): BulletinItem {
  const amount = f.amount_min && f.amount_max ? `${pounds(f.amount_min)} to ${pounds(f.amount_max)}` : f.amount_max ? `Up to ${pounds(f.amount_max)}` : null;
  const closes = f.deadline ? `Closes ${longDay(f.deadline)}.` : 'Open all year.';
  return { kind: 'funding', id: f.id, title: `${f.programme} (${f.funder_name})`, body: [f.summary, amount ? `${amount}.` : '', closes].filter(Boolean).join(' '), ...(f.url ? { url: f.url } : {}) };
}

export function courseItem(s: UpcomingSession): BulletinItem {
  const where = s.venue ?? 'Online';
  const price = s.price_pence ? `${penceText(s.price_pence)} a place` : 'Free';
  return { kind: 'course', id: s.id, title: s.title, body: `${longDay(s.starts_at)}, ${time(s.starts_at)} to ${time(s.ends_at)}, ${where}. ${price}. ${s.summary}` };
}

function readStories(v: BulletinValues, errors: FormErrors): { item: BulletinItem; position: number }[] {
  const stories: { item: BulletinItem; position: number }[] = [];
  for (let n = 1; n <= STORIES; n++) {
    const [title, body, url, position] = storyFields(n).map((f) => v[f] ?? '') as [string, string, string, string];
    if (!title && !body && !url) continue;
    checkText(errors, `story${n}Title`, title, `a headline for story ${n}`, 200);
    checkText(errors, `story${n}Body`, body, `the text of story ${n}`, 5000);
    if (url && (url.length > 2000 || !isWebAddress(url))) errors.add(`story${n}Url`, `Enter the link for story ${n} as a web address starting https://`);
    stories.push({ item: { kind: 'story', title, body, ...(url ? { url } : {}) }, position: Number(position) || 1000 + n });
  }
  return stories;
}

/** Subject, introduction, segment, and the chosen items in the chosen order (ties keep funding, courses, stories). */
export function readBulletin(v: BulletinValues, candidates: Candidates): { errors: FormErrors; draft?: BulletinDraft } {
  const errors = new FormErrors();
  checkText(errors, 'subject', v.subject ?? '', 'a subject', 200);
  checkText(errors, 'introduction', v.introduction ?? '', 'an introduction', 20000);
  const segment = Object.hasOwn(BULLETIN_SEGMENTS, v.segment ?? '') ? (v.segment as BulletinSegment) : null;
  if (!segment) errors.add('segment', 'Choose who the bulletin goes to');
  let segmentValue: string | null = null;
  if (segment === 'groups_by_theme') {
    if (!Object.hasOwn(THEMES, v.theme ?? '')) errors.add('theme', 'Choose the theme the groups work on');
    else segmentValue = v.theme!;
  } else if (segment === 'groups_by_area') {
    checkText(errors, 'area', v.area ?? '', 'the area the groups serve', 200);
    segmentValue = v.area || null;
  }
  const chosen: { item: BulletinItem; position: number }[] = [];
  const position = (key: string) => (/^\d{1,3}$/.test(v[key] ?? '') ? Number(v[key]) : null);
  for (const f of candidates.funding) { const p = position(itemKey('funding', f.id)); if (p !== null) chosen.push({ item: fundingItem(f), position: p }); }
  for (const s of candidates.sessions) { const p = position(itemKey('course', s.id)); if (p !== null) chosen.push({ item: courseItem(s), position: p }); }
  chosen.push(...readStories(v, errors));
  if (errors.any || !segment) return { errors };
  const items = chosen.map((c, i) => ({ ...c, i })).sort((a, b) => a.position - b.position || a.i - b.i).map((c) => c.item);
  return { errors, draft: { subject: v.subject!, introduction: v.introduction!, items, segment, segmentValue } };
}
