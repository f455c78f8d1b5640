import type { Queryable } from './db/index.js';
import type { SignedInUser } from './auth/actor.js';
import { can, type Permission } from './auth/policy.js';

/** The kinds of record another capability may add a panel to; each names the page that shows them. */
export type RecordKind = 'organisation';

/**
 * A panel one capability adds to another capability's record page: the support for groups capability's cases and
 * health checks of an organisation on the register's page of it, say. The page's owner lists them without knowing
 * who made them, so neither capability imports the other.
 */
export interface RecordPanel {
  id: string;
  record: RecordKind;
  /** Who sees it; absent: everyone who sees the page. */
  permission?: Permission;
  order?: number;
  /** Reads inside the page's tenant transaction; null when it has nothing to say about this record. */
  load(context: RecordPanelContext): Promise<RecordPanelView | null>;
}

export interface RecordPanelContext {
  tx: Queryable;
  actor: SignedInUser;
  recordId: string;
  now: Date;
}

export interface RecordPanelView {
  title: string;
  description?: string;
  /** Each a link to the list or page of what is held, its words saying how many. */
  links: { text: string; href: string }[];
}

/** The panels of one kind of record this person may see, loaded in order inside the page's transaction. */
export async function loadRecordPanels(panels: readonly RecordPanel[], record: RecordKind, context: RecordPanelContext): Promise<(RecordPanelView & { id: string })[]> {
  const mine = panels.filter((p) => p.record === record && (!p.permission || can(context.actor, p.permission))).sort((a, b) => (a.order ?? 50) - (b.order ?? 50));
  const views = [];
  for (const panel of mine) {
    const view = await panel.load(context);
    if (view) views.push({ ...view, id: panel.id });
  }
  return views;
}
