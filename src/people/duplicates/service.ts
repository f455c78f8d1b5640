import type { Database, Queryable } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import { authorise } from '../../platform/auth/policy.js';
import { auditActorOf, recordAudit } from '../../platform/audit.js';
import { isUuid } from '../../platform/validation/ids.js';
import { addCounts, type PersonalDataProvider, type RowCounts } from '../../platform/personal-data.js';
import type { FormErrors } from '../../platform/http/forms.js';
import { recordsRepository, type PersonRow } from '../records/repository.js';
import { identify } from '../data-rights/service.js';
import { duplicatesRepository as repo } from './repository.js';
import { CHOSEN_FIELDS, mergedValues, readMergeForm, type ChosenField, type Choices } from './form.js';

export const PAIRS_SHOWN = 100;

export type Pairing = { state: 'ok'; kept: PersonRow; merged: PersonRow } | { state: 'missing' } | { state: 'invalid'; message: string };

/** Both records, in use: neither merged away nor erased. */
async function pairing(tx: Queryable, keptId: string, mergedId: string, lock: boolean): Promise<Pairing> {
  if (!isUuid(keptId) || !isUuid(mergedId)) return { state: 'missing' };
  if (keptId.toLowerCase() === mergedId.toLowerCase()) return { state: 'invalid', message: 'Choose a different record: a record cannot be merged with itself' };
  const rows = lock ? await recordsRepository.lockBoth(tx, [keptId, mergedId]) : await Promise.all([recordsRepository.find(tx, keptId), recordsRepository.find(tx, mergedId)]);
  const kept = rows.find((r) => r?.id === keptId);
  const merged = rows.find((r) => r?.id === mergedId);
  if (!kept || !merged) return { state: 'missing' };
  if (kept.merged_into_id || merged.merged_into_id) return { state: 'invalid', message: 'One of these records has already been merged into another: merge with the record it was merged into' };
  if (kept.erased_at || merged.erased_at) return { state: 'invalid', message: 'One of these records has been erased, so it cannot be merged' };
  return { state: 'ok', kept, merged };
}

/** Likely duplicate people, and merging two records of one person: every provider moves what it holds. */
export class DuplicatesService {
  constructor(private readonly deps: { db: Database; clock: Clock; providers: readonly PersonalDataProvider[] }) {}

  async pairs(actor: SignedInUser | null) {
    authorise(actor, 'people.read');
    return this.deps.db.withTenant(actor.lioId, (tx) => repo.pairs(tx, PAIRS_SHOWN));
  }

  /** Both records, for the pages that show their details side by side: the opening is audited as a view of each person's data. */
  async pairFor(actor: SignedInUser | null, keptId: string, mergedId: string): Promise<Pairing> {
    authorise(actor, 'people.merge');
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const pair = await pairing(tx, keptId, mergedId, false);
      if (pair.state !== 'ok') return pair;
      for (const person of [pair.kept, pair.merged]) {
        await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'person.viewed', subjectType: 'person', subjectId: person.id, detail: { page: 'merge' } }, now);
      }
      return pair;
    });
  }

  /** Checks the choices (the confirmation step shows their result before anything changes). */
  async check(actor: SignedInUser | null, keptId: string, body: unknown): Promise<{ errors: FormErrors; choices: Choices; pair: Pairing }> {
    authorise(actor, 'people.merge');
    const { errors, form } = readMergeForm(body, keptId);
    const pair = errors.any ? { state: 'missing' as const } : await this.pairFor(actor, keptId, form.other);
    return { errors, choices: form.choices, pair };
  }

  /**
   * Merges `body.other` into `keptId` in one transaction: the kept record takes the chosen values and both records'
   * e-mails, phones and ways to contact; every provider moves what pointed at the other; the other is kept, marked
   * merged, as history.
   */
  async merge(actor: SignedInUser | null, keptId: string, body: unknown): Promise<{ errors: FormErrors; pair?: Pairing; moved?: RowCounts }> {
    authorise(actor, 'people.merge');
    const { errors, form } = readMergeForm(body, keptId);
    if (errors.any) return { errors };
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const pair = await pairing(tx, keptId, form.other, true);
      if (pair.state !== 'ok') return { errors, pair };
      const kept = await identify(tx, this.deps.providers, actor.lioId, pair.kept.id, now);
      const merged = await identify(tx, this.deps.providers, actor.lioId, pair.merged.id, now);
      await repo.applyChoices(tx, pair.kept.id, mergedValues(pair.kept, pair.merged, form.choices), now);
      const moved: RowCounts = {};
      for (const p of this.deps.providers) addCounts(moved, await p.merge({ tx, now }, { kept, merged }));
      const taken = (Object.keys(CHOSEN_FIELDS) as ChosenField[]).filter((f) => form.choices[f] === 'merged' && pair.merged[f] !== null);
      await recordAudit(tx, actor.lioId, auditActorOf(actor), {
        action: 'person.merged', subjectType: 'person', subjectId: pair.kept.id, detail: { mergedId: pair.merged.id, moved, valuesTakenFromMerged: taken },
      }, now);
      return { errors, pair, moved };
    });
  }
}
