import type { Queryable } from './db/index.js';
import type { SignedInUser } from './auth/actor.js';

export interface Actor { userId: string | null; label: string }

/** A person as the audit log names them: by their account, and by the e-mail address it had then (signed in, or signing in). */
export const auditActorOf = (user: Pick<SignedInUser, 'id' | 'email'>): Actor => ({ userId: user.id, label: user.email });

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
