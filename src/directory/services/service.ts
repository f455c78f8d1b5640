import type { Database, Tx } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import { authorise, can } from '../../platform/auth/policy.js';
import { recordAudit, type Actor } from '../../platform/audit.js';
import { taxonomyRepository } from '../taxonomy/repository.js';
import { descendantIds } from '../taxonomy/repository.js';
import { londonDay } from '../../platform/validation/dates.js';
import { recordOrganisationEvent } from '../organisations/repository.js';
import { DELIVERY_MODES, modesText, sortModes } from './delivery-modes.js';
import { STATUSES, validateService, valuesFromBody, valuesFromService, type ServiceFormValues } from './form.js';
import { PAGE_SIZE, keptSchedules, statusText, termGroups } from './present.js';
import {
  insertService, loadService, searchServices, servicesRepository as repo, updateService,
} from './repository.js';
import { isUuid } from '../../platform/validation/ids.js';

// The listing-changes pages (listing-changes/routes.ts, listing-changes/service.ts) read these from here; their home is form.ts and present.ts.
export { DAYS, STATUSES, validateService, valuesFromBody, valuesFromService, withBlankRows, type ServiceFormValues } from './form.js';
export { keptSchedules, statusText } from './present.js';
export { DELIVERY_MODES } from './delivery-modes.js';

export interface ServiceListQuery { text: string; status: string; organisationId: string; deliveryMode: string; termId: string; page: number }

export class ServicesService {
  constructor(private readonly deps: { db: Database; clock: Clock }) {}

  async list(actor: SignedInUser | null, lioId: string, q: ServiceListQuery) {
    authorise(actor, 'organisations.read');
    return this.deps.db.withTenant(lioId, async (tx) => {
      const [organisations, terms] = await Promise.all([repo.organisationChoices(tx), taxonomyRepository.allTerms(tx)]);
      const termIds = q.termId && terms.some((t) => t.id === q.termId) ? descendantIds(terms, q.termId) : undefined;
      const result = await searchServices(tx, {
        text: q.text.slice(0, 200) || undefined,
        status: STATUSES.find((s) => s.value === q.status)?.value,
        organisationId: organisations.some((o) => o.id === q.organisationId) ? q.organisationId : undefined,
        deliveryMode: DELIVERY_MODES.find((m) => m.value === q.deliveryMode)?.value,
        termIds: q.termId ? termIds ?? [] : undefined,
        page: q.page, pageSize: PAGE_SIZE,
      });
      return { ...result, organisations, termChoices: termGroups(terms).flatMap((g) => g.items.map((t) => ({ id: t.id, label: `${'— '.repeat(t.depth)}${t.name}` }))) };
    });
  }

  async view(actor: SignedInUser | null, lioId: string, id: string) {
    authorise(actor, 'organisations.read');
    return this.deps.db.withTenant(lioId, async (tx) => {
      const service = isUuid(id) ? await loadService(tx, id) : undefined;
      if (!service) return null;
      return { service, history: await repo.history(tx, id) };
    });
  }

  /** Choices the form needs: organisations, venues (the organisation's own and those in use), categories. */
  async formOptions(actor: SignedInUser | null, lioId: string, organisationId: string | null, serviceId: string | null) {
    authorise(actor, 'services.write');
    return this.deps.db.withTenant(lioId, (tx) => this.options(tx, organisationId, serviceId));
  }

  private async options(tx: Tx, organisationId: string | null, serviceId: string | null) {
    const [organisations, locations, terms, schedules] = await Promise.all([
      repo.organisationChoices(tx), repo.locationChoices(tx, organisationId, serviceId), taxonomyRepository.allTerms(tx),
      serviceId ? repo.ownSchedules(tx, serviceId) : [],
    ]);
    return { organisations, locations, termGroups: termGroups(terms), keptSchedules: keptSchedules(schedules) };
  }

  async editValues(actor: SignedInUser | null, lioId: string, id: string) {
    authorise(actor, 'services.write');
    return this.deps.db.withTenant(lioId, async (tx) => {
      const service = isUuid(id) ? await loadService(tx, id) : undefined;
      if (!service) return null;
      return { service, values: valuesFromService(service), options: await this.options(tx, service.organization_id, id) };
    });
  }

  async create(actor: SignedInUser | null, lioId: string, who: Actor, body: unknown) {
    authorise(actor, 'services.write');
    const values = valuesFromBody(body);
    const now = this.deps.clock.now();
    const today = londonDay(now);
    return this.deps.db.withTenant(lioId, async (tx) => {
      const { errors, write } = await validateService(tx, values, null, today);
      if (!write) return { errors, values, options: await this.options(tx, values.organisationId || null, null), id: null };
      const id = await insertService(tx, lioId, write, now, today);
      await recordAudit(tx, lioId, who, { action: 'service.created', subjectType: 'service', subjectId: id }, now);
      await recordOrganisationEvent(tx, lioId, write.organisationId, who.label, 'service_added', `Service added: ${write.name}`, { serviceId: id }, now);
      return { errors, values, options: null, id };
    });
  }

  async update(actor: SignedInUser | null, lioId: string, who: Actor, id: string, body: unknown) {
    authorise(actor, 'services.write');
    const values = valuesFromBody(body);
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(lioId, async (tx) => {
      const saved = await saveServiceUpdate(tx, lioId, who, id, values, now);
      if (!saved) return null;
      if (saved.errors.any) return { errors: saved.errors, values, options: await this.options(tx, values.organisationId || saved.current.organisation_id, id), name: saved.current.name };
      return { errors: saved.errors, values, options: null, name: values.name };
    });
  }

  canWrite(actor: SignedInUser | null) {
    return can(actor, 'services.write');
  }
}

/**
 * The one way a service is changed after it is added, whoever asked: staff on the service form, or staff
 * approving a group's proposed change. It checks everything, writes, dates any change of delivery modes or
 * status (the delivery history) and leaves an audit entry and a line on the organisation's timeline.
 * Null when the service does not exist; the caller decides whether the person may change it.
 */
export async function saveServiceUpdate(tx: Tx, lioId: string, who: Actor, id: string, values: ServiceFormValues, now: Date) {
  const current = isUuid(id) ? await repo.current(tx, id) : undefined;
  if (!current) return null;
  const today = londonDay(now);
  const existing = { id, status: current.status, deliveryModes: current.delivery_modes, createdOn: londonDay(current.created_at), lastChange: await repo.lastChangeDay(tx, id) };
  const { errors, write, changeOn } = await validateService(tx, values, existing, today);
  if (!write) return { errors, current, write: null };
  await updateService(tx, lioId, id, write, now, changeOn);
  const modesChanged = sortModes(current.delivery_modes).join() !== write.deliveryModes.join();
  const statusChanged = current.status !== write.status;
  await recordAudit(tx, lioId, who, {
    action: 'service.updated', subjectType: 'service', subjectId: id,
    detail: { ...(modesChanged ? { deliveryModes: { from: current.delivery_modes, to: write.deliveryModes } } : {}), ...(statusChanged ? { status: { from: current.status, to: write.status } } : {}) },
  }, now);
  const what = [modesChanged ? `now delivered ${modesText(write.deliveryModes).toLowerCase()}` : '', statusChanged ? `status ${statusText(write.status).toLowerCase()}` : ''].filter(Boolean).join('; ');
  await recordOrganisationEvent(tx, lioId, write.organisationId, who.label, 'service_changed', `Service changed: ${write.name}${what ? ` (${what})` : ''}`, { serviceId: id }, now);
  return { errors, current, write };
}
