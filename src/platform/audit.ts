import { sql } from 'kysely';
import type { Queryable } from './db/index.js';
import type { SignedInUser } from './auth/actor.js';
import { containing, escapeLike } from './db/like.js';

export interface Actor { userId: string | null; label: string }

/** A signed-in person as the audit log names them: by their account, and by the e-mail address it had then. */
export const auditActorOf = (user: SignedInUser): Actor => ({ userId: user.id, label: user.email });

export interface AuditEntry {
  action: string;
  subjectType?: string;
  subjectId?: string;
  /** Never personal data beyond identifiers: the audit log is read by admins for a long time. */
  detail?: Record<string, unknown>;
}

export async function recordAudit(db: Queryable, lioId: string, actor: Actor, entry: AuditEntry, at: Date): Promise<void> {
  await db.insertInto('audit_events').values({
    lio_id: lioId,
    occurred_at: at,
    actor_user_id: actor.userId,
    actor_label: actor.label,
    action: entry.action,
    subject_type: entry.subjectType ?? null,
    subject_id: entry.subjectId ?? null,
    detail: JSON.stringify(entry.detail ?? {}),
  }).execute();
}

export interface AuditFilter { action?: string; actor?: string; from?: Date; to?: Date; page: number; pageSize: number }

export async function listAudit(db: Queryable, filter: AuditFilter) {
  let q = db.selectFrom('audit_events');
  if (filter.action) q = q.where('action', 'like', `${escapeLike(filter.action)}%`);
  if (filter.actor) q = q.where(sql<boolean>`actor_label ilike ${containing(filter.actor)}`);
  if (filter.from) q = q.where('occurred_at', '>=', filter.from);
  if (filter.to) q = q.where('occurred_at', '<', filter.to);
  const total = (await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
  const rows = await q.selectAll().orderBy('occurred_at', 'desc').orderBy('id', 'desc')
    .limit(filter.pageSize).offset((filter.page - 1) * filter.pageSize).execute();
  return { total: Number(total), rows };
}

export async function distinctAuditActions(db: Queryable): Promise<string[]> {
  const rows = await db.selectFrom('audit_events').select('action').distinct().orderBy('action').execute();
  return rows.map((r) => r.action);
}
