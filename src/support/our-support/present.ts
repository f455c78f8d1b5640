import type { CaseRow } from '../casework/repository.js';
import { SUPPORT_TOPICS } from '../vocabulary.js';
import { dayText, statusTag } from '../casework/present.js';

/** What the group reads of its case: never the advisers' own notes, nor who else the case names. */
export function portalCase(c: CaseRow, notes: { id: string; body: string; worked_on: string; from_group: boolean; author_name: string | null; created_at: Date }[]) {
  return {
    c, status: statusTag(c.status),
    summary: [
      ['Topic', SUPPORT_TOPICS[c.topic]],
      ['Asked', dayText(c.opened_on)],
      ['Adviser', c.adviser_name ?? 'Not yet given to an adviser'],
      ...(c.status === 'waiting_on_group' && c.next_action ? [['What we need from you', `${c.next_action}${c.next_action_due ? ` (by ${dayText(c.next_action_due)})` : ''}`]] : []),
      ...(c.status === 'closed' ? [['Closed', `${dayText(c.closed_on)}: ${c.closing_summary ?? ''}`]] : []),
      ['What you asked for', c.request],
    ].map(([key, value]) => ({ key: { text: key! }, value: { text: value! } })),
    messages: notes.map((n) => ({ body: n.body, on: n.created_at, by: n.from_group ? `${n.author_name ?? 'Your group'} (your group)` : `${n.author_name ?? 'Your adviser'} (adviser)` })),
  };
}
