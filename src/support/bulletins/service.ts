import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import type { JobQueue } from '../../platform/jobs.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import { authorise } from '../../platform/auth/policy.js';
import { auditActorOf, recordAudit } from '../../platform/audit.js';
import { isUuid } from '../../platform/validation/ids.js';
import { sameSignature } from '../../platform/signed-links.js';
import { londonDay } from '../../platform/validation/dates.js';
import { FormErrors } from '../../platform/http/forms.js';
import { bulletinsRepository as repo } from './repository.js';
import { readBulletin, type BulletinValues, type Candidates } from './form.js';
import { openProof, unsubscribeHash } from './message.js';
import { SEND_JOB } from './jobs.js';

const TOKEN = /^[A-Za-z0-9_-]{20,64}$/;

/** Bulletins: composed by advisers from open funding, upcoming courses and stories, sent to a segment, archived for all. */
export class BulletinsService {
  constructor(private readonly deps: { db: Database; clock: Clock; config: Config; jobs: JobQueue }) {}

  /** What a bulletin may pull in now, and the register's themes and areas to choose a segment by. */
  async candidates(actor: SignedInUser | null): Promise<Candidates & { areas: string[] }> {
    authorise(actor, 'bulletins.send');
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => ({
      funding: await repo.openFunding(tx, londonDay(now)), sessions: await repo.upcomingSessions(tx, now),
      areas: (await repo.registerThemesAndAreas(tx)).areas,
    }));
  }

  async list(actor: SignedInUser | null) {
    authorise(actor, 'bulletins.send');
    return this.deps.db.withTenant(actor.lioId, (tx) => repo.list(tx));
  }

  /** A new draft, or a change to one; errors to show again otherwise. */
  async save(actor: SignedInUser | null, id: string | null, values: BulletinValues, candidates: Candidates): Promise<{ errors: FormErrors; id?: string; notDraft?: boolean }> {
    authorise(actor, 'bulletins.send');
    const { errors, draft } = readBulletin(values, candidates);
    if (!draft) return { errors };
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      if (id === null) {
        const created = await repo.insert(tx, actor.lioId, draft, actor.id, now);
        await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'bulletin.drafted', subjectType: 'bulletin', subjectId: created }, now);
        return { errors, id: created };
      }
      if (!await repo.update(tx, id, draft, now)) return { errors, notDraft: true };
      return { errors, id };
    });
  }

  /** A bulletin with its counts and, while a draft, how many addresses its segment reaches now. */
  async show(actor: SignedInUser | null, id: string) {
    authorise(actor, 'bulletins.send');
    if (!isUuid(id)) return undefined;
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const bulletin = await repo.get(tx, id);
      if (!bulletin) return undefined;
      const reach = bulletin.status === 'draft' ? await repo.segmentSize(tx, actor.lioId, { segment: bulletin.segment, value: bulletin.segment_value }) : null;
      return { bulletin, counts: await repo.counts(tx, id), reach };
    });
  }

  /**
   * Queues a draft to its segment: a recipients row for every address and the job that sends them, together or not
   * at all. An empty segment is refused before anything is queued.
   */
  async send(actor: SignedInUser | null, id: string): Promise<{ kind: 'queued'; recipients: number } | { kind: 'empty' } | { kind: 'not_draft' } | undefined> {
    authorise(actor, 'bulletins.send');
    if (!isUuid(id)) return undefined;
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const bulletin = await repo.get(tx, id);
      if (!bulletin) return undefined;
      if (bulletin.status !== 'draft') return { kind: 'not_draft' as const };
      const recipients = await repo.queue(tx, actor.lioId, id, { segment: bulletin.segment, value: bulletin.segment_value }, now);
      // Nothing was inserted and the bulletin stays a draft: there is nothing to undo.
      if (recipients === 0) return { kind: 'empty' as const };
      await this.deps.jobs.enqueue(tx, { lioId: actor.lioId, kind: SEND_JOB, payload: { bulletinId: id }, maxAttempts: 10 });
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'bulletin.queued', subjectType: 'bulletin', subjectId: id, detail: { recipients } }, now);
      return { kind: 'queued' as const, recipients };
    });
  }

  /** The public archive: sent bulletins only. */
  archive(lioId: string) {
    return this.deps.db.withTenant(lioId, (tx) => repo.archive(tx));
  }

  archived(lioId: string, id: string) {
    if (!isUuid(id)) return Promise.resolve(undefined);
    return this.deps.db.withTenant(lioId, (tx) => repo.sentOne(tx, id));
  }

  /** The unsubscribe link's page: which bulletin it came with and whether the address is already unsubscribed; undefined for an unknown link. */
  async unsubscribeLink(lioId: string, token: string) {
    if (!TOKEN.test(token)) return undefined;
    return this.deps.db.withTenant(lioId, async (tx) => {
      const recipient = await repo.recipientByTokenHash(tx, unsubscribeHash(this.deps.config.sessionSecret, token));
      if (!recipient) return undefined;
      return { subject: recipient.subject, already: await repo.isUnsubscribed(tx, recipient.email) };
    });
  }

  /** Records the link's address as unsubscribed: 'done', 'already' (a second use), or undefined for an unknown link. */
  async unsubscribe(lioId: string, token: string): Promise<'done' | 'already' | undefined> {
    if (!TOKEN.test(token)) return undefined;
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(lioId, async (tx) => {
      const recipient = await repo.recipientByTokenHash(tx, unsubscribeHash(this.deps.config.sessionSecret, token));
      if (!recipient) return undefined;
      const done = await repo.unsubscribe(tx, lioId, recipient.email, recipient.bulletin_id, now);
      if (done) await recordAudit(tx, lioId, { userId: null, label: 'Bulletin recipient' }, { action: 'bulletin.unsubscribed', subjectType: 'bulletin', subjectId: recipient.bulletin_id }, now);
      return done ? 'done' : 'already';
    });
  }

  /** The open-tracking image was fetched: the first time counts. A wrong proof is ignored (the image is answered anyway). */
  async opened(lioId: string, recipientId: string, proof: string): Promise<void> {
    if (!isUuid(recipientId) || !sameSignature(proof, openProof(this.deps.config.sessionSecret, recipientId))) return;
    await this.deps.db.withTenant(lioId, (tx) => repo.opened(tx, recipientId, this.deps.clock.now()));
  }
}
