import type { Database, Queryable } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import type { Period } from '../../platform/http/period.js';
import type { OutcomeKind, SupportTopic } from '../../platform/db/support-schema.js';
import { authorise } from '../../platform/auth/policy.js';
import { auditActorOf, recordAudit } from '../../platform/audit.js';
import { londonDay } from '../../platform/validation/dates.js';
import { OUTCOME_KINDS, SUPPORT_TOPICS } from '../vocabulary.js';
import { spendRepository } from '../spend/repository.js';
import { figuresRepository as repo } from './repository.js';
import { penceOf } from '../../platform/money.js';

/** Spend on support in a period: each entry that shares a day with it, and the share of its amount those days carry. */
export interface SpendCounted {
  id: string; periodStart: string; periodEnd: string; description: string | null;
  amountPence: number; days: number; daysInside: number; countedPence: number;
}

/**
 * Every figure of support for groups for one period, as one typed value: the figures page, its CSV, the home panels
 * and (later) the insight capability's funder returns all read this. Money is in whole pence (exact integers).
 */
export interface SupportFigures {
  period: Period;
  groupsSupported: number;
  cases: { opened: number; closed: number; byTopic: { topic: SupportTopic; label: string; opened: number; closed: number }[] };
  supportMinutes: number;
  outcomes: { total: number; byKind: { kind: OutcomeKind; label: string; count: number }[] };
  applications: { submitted: number; awarded: number; declined: number };
  fundingSecuredPence: number;
  /** Spend apportioned to the period by days; 0 when none was entered. */
  spendPence: number;
  spend: SpendCounted[];
  /** Pounds secured for every pound spent, in pence (350: £3.50 for every £1); null when no spend falls in the period. */
  leveragePence: number | null;
  training: { places: number; people: number; organisations: number };
  bulletins: { bulletins: number; sent: number; opened: number };
}

/** secured ÷ spent in pence per pound, rounded half up, in exact integer arithmetic. */
export function leverageOf(securedPence: number, spendPence: number): number | null {
  if (spendPence <= 0) return null;
  const s = BigInt(securedPence) * 100n;
  const d = BigInt(spendPence);
  return Number((s * 2n + d) / (2n * d));
}

export async function spendCounted(tx: Queryable, period: Period): Promise<SpendCounted[]> {
  return (await spendRepository.inPeriod(tx, period)).map((s) => ({
    id: s.id, periodStart: s.period_start, periodEnd: s.period_end, description: s.description, amountPence: penceOf(s.amount),
    days: Number(s.days), daysInside: Number(s.days_inside), countedPence: penceOf(s.counted),
  }));
}

/** Funding secured, spend counted and the leverage figure alone, for a panel that shows no other figure of the period. */
export async function leverageFigures(tx: Queryable, period: Period): Promise<Pick<SupportFigures, 'fundingSecuredPence' | 'spendPence' | 'leveragePence'>> {
  const fundingSecuredPence = penceOf(await repo.secured(tx, period));
  const spendPence = (await spendCounted(tx, period)).reduce((sum, s) => sum + s.countedPence, 0);
  return { fundingSecuredPence, spendPence, leveragePence: leverageOf(fundingSecuredPence, spendPence) };
}

/** The figures of one period, read in the caller's tenant transaction. */
export async function supportFigures(tx: Queryable, period: Period): Promise<SupportFigures> {
  const counts = await repo.counts(tx, period);
  const spend = await spendCounted(tx, period);
  const { groups: groupsSupported, topics, outcomes: kinds, applications, training, bulletins } = counts;
  const supportMinutes = Number(counts.minutes);
  const byTopic = (Object.keys(SUPPORT_TOPICS) as SupportTopic[]).map((topic) => {
    const row = topics.find((r) => r.topic === topic);
    return { topic, label: SUPPORT_TOPICS[topic], opened: row?.opened ?? 0, closed: row?.closed ?? 0 };
  });
  const byKind = (Object.keys(OUTCOME_KINDS) as OutcomeKind[]).map((kind) => ({ kind, label: OUTCOME_KINDS[kind], count: kinds.find((r) => r.kind === kind)?.n ?? 0 }));
  const fundingSecuredPence = penceOf(applications.secured);
  const spendPence = spend.reduce((sum, s) => sum + s.countedPence, 0);
  return {
    period, groupsSupported, supportMinutes, training, bulletins, spend, spendPence, fundingSecuredPence,
    cases: { opened: byTopic.reduce((n, t) => n + t.opened, 0), closed: byTopic.reduce((n, t) => n + t.closed, 0), byTopic },
    outcomes: { total: byKind.reduce((n, k) => n + k.count, 0), byKind },
    applications: { submitted: applications.submitted, awarded: applications.awarded, declined: applications.declined },
    leveragePence: leverageOf(fundingSecuredPence, spendPence),
  };
}

// --- Periods, in England's calendar ---

const iso = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d)).toISOString().slice(0, 10);
const parts = (day: string) => day.split('-').map(Number) as [number, number, number];

export function monthOf(day: string): Period {
  const [y, m] = parts(day);
  return { from: iso(y, m, 1), to: iso(y, m + 1, 0) };
}

/** The calendar quarter holding the day (April to June is also the first quarter of the financial year). */
export function quarterOf(day: string): Period {
  const [y, m] = parts(day);
  const first = m - ((m - 1) % 3);
  return { from: iso(y, first, 1), to: iso(y, first + 3, 0) };
}

/** The quarter `back` quarters before the one holding the day. */
export function quarterBefore(day: string, back: number): Period {
  const [y, m] = parts(day);
  return quarterOf(iso(y, m - 3 * back, 1));
}

/** The financial year (1 April to 31 March) holding the day. */
export function financialYearOf(day: string): Period {
  const [y, m] = parts(day);
  const start = m >= 4 ? y : y - 1;
  return { from: iso(start, 4, 1), to: iso(start + 1, 3, 31) };
}

/**
 * The figures for advisers, trainers and admins: the page, its CSV (audited as an export, as the directory's are) and
 * the records behind the leverage figure.
 */
export class SupportFiguresService {
  constructor(private readonly deps: { db: Database; clock: Clock }) {}

  today(): string {
    return londonDay(this.deps.clock.now());
  }

  async figures(actor: SignedInUser | null, period: Period): Promise<SupportFigures> {
    authorise(actor, 'support.figures');
    return this.deps.db.withTenant(actor.lioId, (tx) => supportFigures(tx, period));
  }

  async figuresForExport(actor: SignedInUser | null, period: Period): Promise<SupportFigures> {
    authorise(actor, 'support.figures');
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const f = await supportFigures(tx, period);
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'support.figures_exported', subjectType: 'report', detail: { from: period.from, to: period.to } }, this.deps.clock.now());
      return f;
    });
  }

  /** What the leverage figure rests on: the awards of the period and the spend counted in it. */
  async leverageRecords(actor: SignedInUser | null, period: Period) {
    authorise(actor, 'support.figures');
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const figures = await supportFigures(tx, period);
      return { figures, awards: await repo.awards(tx, period) };
    });
  }
}
