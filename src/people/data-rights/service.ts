import type { Database, Queryable } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { ConsentPurpose } from '../../platform/db/people-schema.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import { authorise } from '../../platform/auth/policy.js';
import { auditActorOf, recordAudit, type Actor } from '../../platform/audit.js';
import { isUuid } from '../../platform/validation/ids.js';
import { ANONYMOUS_LABELS, addCounts, type ErasureOutcome, type PersonIdentity, type PersonalDataProvider, type PersonalDataSection, type RowCounts } from '../../platform/personal-data.js';
import { recordsRepository, type PersonRow } from '../records/repository.js';
import { duplicatesRepository, type Candidate } from '../duplicates/repository.js';
import { dataRightsRepository as repo } from './repository.js';

export const RETENTION_JOB = 'people.retention';
const RETENTION_ACTOR: Actor = { userId: null, label: 'Retention job' };

export interface OpenConsent { id: string; purpose: ConsentPurpose }
export interface ProviderSections { key: string; title: string; retention: string; sections: PersonalDataSection[] }
export type PersonLookup<T> = { state: 'found'; person: PersonRow; value: T } | { state: 'merged'; into: string } | { state: 'missing' };

/**
 * Everything the providers know the person by: starts empty, and each provider adds what only it holds (the person
 * record its e-mails and phones, the accounts their user accounts). Identifiers are kept unique.
 */
export async function identify(tx: Queryable, providers: readonly PersonalDataProvider[], lioId: string, personId: string, now: Date): Promise<PersonIdentity> {
  const identity: PersonIdentity = { lioId, personId, recordIds: [personId], emails: [], phones: [], userIds: [], actorLabels: [] };
  for (const provider of providers) {
    const more = await provider.identify?.({ tx, now }, identity);
    identity.recordIds = [...new Set([...identity.recordIds, ...(more?.recordIds ?? [])])];
    identity.emails = [...new Set([...identity.emails, ...(more?.emails ?? []).map((e) => e.toLowerCase())])];
    identity.phones = [...new Set([...identity.phones, ...(more?.phones ?? [])])];
    identity.userIds = [...new Set([...identity.userIds, ...(more?.userIds ?? [])])];
    identity.actorLabels = [...new Set([...identity.actorLabels, ...(more?.actorLabels ?? []).map((l) => l.toLowerCase())])]
      .filter((l) => !ANONYMOUS_LABELS.some((a) => a.toLowerCase() === l));
  }
  return identity;
}

/** Where the retention job reports an LIO it could not finish (the job queue's logger, or stderr). */
export interface RetentionLog { error(detail: Record<string, unknown>, message: string): void }
const defaultLog: RetentionLog = { error: (detail, message) => console.error(message, detail) };

/** The people provider erases last: the others find their rows by the identifiers its record still holds until then. */
const erasureOrder = (providers: readonly PersonalDataProvider[]) => [...providers.filter((p) => p.key !== 'people'), ...providers.filter((p) => p.key === 'people')];

/** The person's page, subject-access export, erasure and the retention run: each across every capability's provider. */
export class DataRightsService {
  constructor(private readonly deps: { db: Database; clock: Clock; providers: readonly PersonalDataProvider[] }) {}

  /** Reads the person (not merged away) and runs `work` in the same tenant transaction. */
  private async withPerson<T>(actor: SignedInUser, id: string, work: (tx: Queryable, person: PersonRow, now: Date) => Promise<T>): Promise<PersonLookup<T>> {
    if (!isUuid(id)) return { state: 'missing' };
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx): Promise<PersonLookup<T>> => {
      const person = await repo.person(tx, id);
      if (!person) return { state: 'missing' };
      if (person.merged_into_id) return { state: 'merged', into: person.merged_into_id };
      return { state: 'found', person, value: await work(tx, person, now) };
    });
  }

  private async sections(tx: Queryable, identity: PersonIdentity, now: Date): Promise<ProviderSections[]> {
    const all: ProviderSections[] = [];
    for (const p of this.deps.providers) all.push({ key: p.key, title: p.title, retention: p.retention.rule, sections: await p.describe({ tx, now }, identity) });
    return all;
  }

  /** Everything held about the person, and who may be the same person; each view is audited. */
  async personPage(actor: SignedInUser | null, id: string): Promise<PersonLookup<{ held: ProviderSections[]; duplicates: Candidate[]; isSelf: boolean; openConsents: OpenConsent[] }>> {
    authorise(actor, 'people.read');
    return this.withPerson(actor, id, async (tx, person, now) => {
      const identity = await identify(tx, this.deps.providers, actor.lioId, id, now);
      const held = await this.sections(tx, identity, now);
      const duplicates = person.erased_at ? [] : await duplicatesRepository.candidatesFor(tx, person);
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'person.viewed', subjectType: 'person', subjectId: id, detail: { page: 'person' } }, now);
      const openConsents = (await recordsRepository.consentsOf(tx, [id])).filter((c) => c.withdrawn_at === null).map((c) => ({ id: c.id, purpose: c.purpose }));
      return { held, duplicates, isSelf: identity.userIds.includes(actor.id), openConsents };
    });
  }

  /** The person, for a confirmation page (export or erasure): nothing of their data beyond their name is read. */
  async forRights(actor: SignedInUser | null, id: string): Promise<PersonLookup<{ isSelf: boolean; erasure: { title: string; text: string }[]; kept: { heading: string; items: string[] }[] }>> {
    authorise(actor, 'people.rights');
    return this.withPerson(actor, id, async (tx, _person, now) => {
      const identity = await identify(tx, this.deps.providers, actor.lioId, id, now);
      const kept: { heading: string; items: string[] }[] = [];
      for (const p of this.deps.providers) kept.push(...(await p.keptOnErasure?.({ tx, now }, identity)) ?? []);
      return { isSelf: identity.userIds.includes(actor.id), erasure: this.deps.providers.map((p) => ({ title: p.title, text: p.erasure })), kept };
    });
  }

  /** The subject-access export in the format asked for; audited with the format only. */
  async exportReadable(actor: SignedInUser | null, id: string) {
    authorise(actor, 'people.rights');
    return this.withPerson(actor, id, async (tx, _person, now) => {
      const identity = await identify(tx, this.deps.providers, actor.lioId, id, now);
      const held = await this.sections(tx, identity, now);
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'person.exported', subjectType: 'person', subjectId: id, detail: { format: 'html' } }, now);
      return { held, exportedAt: now };
    });
  }

  async exportMachineReadable(actor: SignedInUser | null, id: string) {
    authorise(actor, 'people.rights');
    return this.withPerson(actor, id, async (tx, _person, now) => {
      const identity = await identify(tx, this.deps.providers, actor.lioId, id, now);
      const providers: Record<string, { title: string; retention: string; tables: Record<string, Record<string, unknown>[]> }> = {};
      for (const p of this.deps.providers) providers[p.key] = { title: p.title, retention: p.retention.rule, tables: await p.export({ tx, now }, identity) };
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'person.exported', subjectType: 'person', subjectId: id, detail: { format: 'json' } }, now);
      return { exportedAt: now, providers };
    });
  }

  /**
   * Erases the person across every capability in one transaction: all of it, or (on any failure) none of it. An admin
   * cannot erase their own record, which would disable the account they are using.
   */
  async erase(actor: SignedInUser | null, id: string): Promise<PersonLookup<ErasureOutcome | 'self' | 'already'>> {
    authorise(actor, 'people.rights');
    return this.withPerson(actor, id, async (tx, _person, now) => {
      const locked = await repo.lockPerson(tx, id);
      if (!locked || locked.erased_at) return 'already' as const;
      const identity = await identify(tx, this.deps.providers, actor.lioId, id, now);
      if (identity.userIds.includes(actor.id)) return 'self' as const;
      const outcome: ErasureOutcome = { removed: {}, anonymised: {} };
      for (const p of erasureOrder(this.deps.providers)) {
        const done = await p.erase({ tx, now }, identity);
        addCounts(outcome.removed, done.removed);
        addCounts(outcome.anonymised, done.anonymised);
      }
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'person.erased', subjectType: 'person', subjectId: id, detail: { ...outcome } }, now);
      return outcome;
    });
  }

  /** One LIO's retention run: each provider's rule, then one audit entry with the rows each table gave up. */
  async applyRetention(lioId: string): Promise<RowCounts> {
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(lioId, async (tx) => {
      const done: RowCounts = {};
      for (const p of this.deps.providers) addCounts(done, await p.retention.apply({ tx, now }));
      await recordAudit(tx, lioId, RETENTION_ACTOR, { action: 'personal_data.retention', subjectType: 'lio', subjectId: lioId, detail: { rows: done } }, now);
      return done;
    });
  }

  /**
   * Every LIO's retention run, each in its own transaction: one LIO that fails (its run rolled back) is logged and the
   * others still run; the job then fails, so it is retried and shows as failed. The log names the LIO and the kind of
   * error only: an error's message can quote the row it failed on, which is personal data.
   */
  async applyRetentionEverywhere(log: RetentionLog = defaultLog): Promise<void> {
    const failed: string[] = [];
    for (const lio of await repo.lioIds(this.deps.db)) {
      try {
        await this.applyRetention(lio.id);
      } catch (err) {
        failed.push(lio.id);
        log.error({ lioId: lio.id, error: (err as Error)?.name ?? 'Error', code: (err as { code?: unknown })?.code ?? null }, 'retention run failed for an LIO');
      }
    }
    if (failed.length) throw new Error(`Retention failed for ${failed.length} LIO(s): ${failed.join(', ')}`);
  }
}
