import { randomInt } from 'node:crypto';
import type { Database } from '../../../platform/db/index.js';
import type { Clock } from '../../../platform/clock.js';
import type { JobQueue } from '../../../platform/jobs.js';
import type { SignedInUser } from '../../../platform/auth/actor.js';
import { authorise, can } from '../../../platform/auth/policy.js';
import { recordAudit, type Actor } from '../../../platform/audit.js';
import { queueEmail } from '../../../platform/mail.js';
import { FormErrors, checkEmail, checkText } from '../../../platform/http/forms.js';
import { isUuid } from '../../../platform/validation/ids.js';
import type { PublicDirectory } from '../service.js';
import type { ServiceDetail } from '../present.js';
import { signpostingRepository as repo } from './repository.js';

/**
 * Signposting lists: services collected from the public directory to print, e-mail or share by link.
 * A list is known by its share code, which is both its address and the only key to it (like an
 * unlisted link): long and random enough not to be guessed, and easy to read out on the phone.
 * Whoever holds the list in their browser (or the member of staff who made it) can change it;
 * anyone with the link can read it. Lists hold no personal data; the e-mail address a list is sent
 * to is kept only in the outbox like any other message.
 */

const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const CODE_LENGTH = 12;
export const SENDS_PER_HOUR = 5;
export const DEFAULT_TITLE = 'Your list of local services';

export function newShareCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return code;
}

/** A code as typed or read out ("ABCD-EFGH-JKMN") back to its stored form, or null if it cannot be one. */
export function normaliseShareCode(input: string): string | null {
  const code = input.toLowerCase().replace(/[\s-]/g, '');
  return code.length === CODE_LENGTH && [...code].every((c) => ALPHABET.includes(c)) ? code : null;
}

/** In groups of four, to read out: abcd-efgh-jkmn. */
export const displayShareCode = (code: string) => code.match(/.{1,4}/g)!.join('-');

export interface ListView {
  code: string; displayCode: string; title: string; createdAt: Date; updatedAt: Date;
  services: ServiceDetail[];
  /** the person looking may remove services and start again from it */
  canEdit: boolean;
}

export class SignpostingLists {
  constructor(private readonly deps: { db: Database; clock: Clock; jobs: JobQueue; directory: PublicDirectory }) {}

  /** Services on the list held in the browser, to mark them in search results. */
  async serviceIdsOf(lioId: string, code: string | null): Promise<Set<string>> {
    const c = code ? normaliseShareCode(code) : null;
    if (!c) return new Set();
    return this.deps.db.withTenant(lioId, async (tx) => {
      const list = await repo.findByCode(tx, c);
      return new Set(list ? await repo.serviceIds(tx, list.id) : []);
    });
  }

  /**
   * Adds a published service to the list held in the browser, starting a list when there is none.
   * Returns the list's code (to keep in the browser) and the service's name, or null for a service that is not public.
   */
  async add(lioId: string, actor: SignedInUser | null, heldCode: string | null, serviceId: string): Promise<{ code: string; serviceName: string; added: boolean } | null> {
    // Anyone may keep a list: no permission to check.
    if (!isUuid(serviceId)) return null;
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(lioId, async (tx) => {
      const serviceName = await repo.publishedServiceName(tx, serviceId);
      if (serviceName === undefined) return null;
      const held = heldCode ? normaliseShareCode(heldCode) : null;
      const list = (held ? await repo.findByCode(tx, held) : undefined)
        ?? await repo.create(tx, { lioId, code: newShareCode(), title: null, createdBy: can(actor, 'organisations.read') ? actor!.id : null, now });
      const added = await repo.addItem(tx, lioId, list.id, serviceId, now);
      return { code: list.share_code, serviceName, added };
    });
  }

  /** Takes a service off a list the person may change; false when they may not or it was not there. */
  async remove(lioId: string, actor: SignedInUser | null, heldCode: string | null, code: string, serviceId: string): Promise<boolean> {
    const c = normaliseShareCode(code);
    if (!c || !isUuid(serviceId)) return false;
    return this.deps.db.withTenant(lioId, async (tx) => {
      const list = await repo.findByCode(tx, c);
      if (!list || !mayEdit(list, actor, heldCode)) return false;
      return repo.removeItem(tx, list.id, serviceId, this.deps.clock.now());
    });
  }

  async view(lioId: string, actor: SignedInUser | null, heldCode: string | null, code: string): Promise<ListView | undefined> {
    const c = normaliseShareCode(code);
    if (!c) return undefined;
    return this.deps.db.withTenant(lioId, async (tx) => {
      const list = await repo.findByCode(tx, c);
      if (!list) return undefined;
      const services = await this.deps.directory.services(tx, await repo.serviceIds(tx, list.id));
      return {
        code: list.share_code, displayCode: displayShareCode(list.share_code), title: list.title, createdAt: list.created_at, updatedAt: list.updated_at,
        services, canEdit: mayEdit(list, actor, heldCode),
      };
    });
  }

  /** A fresh, empty list: a member of staff may name it for the caller they are helping. */
  async start(lioId: string, actor: SignedInUser | null, title: string): Promise<{ errors: FormErrors; code?: string }> {
    // Anyone may start a list; only staff lists carry a title and their maker.
    const errors = new FormErrors();
    const staff = can(actor, 'organisations.read');
    if (staff) checkText(errors, 'title', title, 'a name for the list', 200, false);
    if (errors.any) return { errors };
    const now = this.deps.clock.now();
    const list = await this.deps.db.withTenant(lioId, async (tx) => {
      const row = await repo.create(tx, { lioId, code: newShareCode(), title: staff && title ? title : null, createdBy: staff ? actor!.id : null, now });
      if (staff) await recordAudit(tx, lioId, { userId: actor!.id, label: actor!.email }, { action: 'signposting_list.created', subjectType: 'signposting_list', subjectId: row.id }, now);
      return row;
    });
    return { errors, code: list.share_code };
  }

  /** The lists a member of staff has made. */
  async listsOf(lioId: string, actor: SignedInUser | null) {
    authorise(actor, 'organisations.read');
    return this.deps.db.withTenant(lioId, async (tx) => (await repo.listsBy(tx, actor.id, 50)).map((l) => ({ ...l, displayCode: displayShareCode(l.share_code), items: Number(l.items) })));
  }

  /** E-mails the list in plain text; at most SENDS_PER_HOUR times an hour for one list. */
  async email(lioId: string, lioName: string, actor: Actor, code: string, address: string, link: string): Promise<{ errors: FormErrors; limited?: boolean; sent?: boolean }> {
    // Anyone with the link may send the list: the rate limits keep it from being a way to send mail.
    const errors = new FormErrors();
    checkEmail(errors, 'email', address);
    const c = normaliseShareCode(code);
    if (errors.any || !c) return { errors };
    const now = this.deps.clock.now();
    const { db, jobs, clock } = this.deps;
    return db.withTenant(lioId, async (tx) => {
      const list = await repo.findByCode(tx, c);
      if (!list) return { errors };
      if (await repo.sendsSince(tx, list.id, new Date(now.getTime() - 3_600_000)) >= SENDS_PER_HOUR) {
        errors.add('email', `This list has been e-mailed ${SENDS_PER_HOUR} times in the last hour. Try again later, or copy the link instead`);
        return { errors, limited: true };
      }
      const services = await this.deps.directory.services(tx, await repo.serviceIds(tx, list.id));
      await queueEmail(tx, jobs, lioId, { to: address, subject: `${list.title} – ${lioName}`, text: listAsText(list.title, lioName, link, services) }, clock);
      await repo.recordSend(tx, lioId, list.id, now);
      await recordAudit(tx, lioId, actor, { action: 'signposting_list.emailed', subjectType: 'signposting_list', subjectId: list.id, detail: { services: services.length } }, now);
      return { errors, sent: true };
    });
  }
}

function mayEdit(list: { share_code: string; created_by: string | null }, actor: SignedInUser | null, heldCode: string | null): boolean {
  return (heldCode !== null && normaliseShareCode(heldCode) === list.share_code) || (actor !== null && list.created_by === actor.id);
}

/** The list as a plain-text e-mail: each service with what it is, how to contact it, where, when and what it costs. */
export function listAsText(title: string, lioName: string, link: string, services: ServiceDetail[]): string {
  const lines = [title, '', `From ${lioName}. You can see this list, print it or pass it on at:`, link, ''];
  if (services.length === 0) lines.push('There are no services on this list.');
  services.forEach((s, i) => {
    lines.push(`${i + 1}. ${s.name}`, `   Run by ${s.organisationName}`);
    if (s.temporarilyClosed) lines.push('   This service is closed for now.');
    if (s.paragraphs[0]) lines.push(`   ${s.paragraphs[0]}`);
    if (s.eligibility) lines.push(`   ${s.eligibility}.`);
    for (const h of s.howToUse) lines.push(`   ${h}`);
    for (const p of s.phones) lines.push(`   Phone: ${p.text}`);
    if (s.email) lines.push(`   Email: ${s.email}`);
    if (s.website) lines.push(`   Website: ${s.website}`);
    for (const p of s.places) if (p.address) lines.push(`   Address: ${p.address}`);
    const open = s.opening.week.filter((d) => d.hours !== 'Closed').map((d) => `${d.day} ${d.hours}`);
    if (open.length) lines.push(`   Opening times: ${open.join('; ')}`);
    lines.push(`   Cost: ${s.isFree ? 'Free' : s.costs.join('; ') || s.feesDescription || 'Ask them about any cost'}`);
    lines.push('');
  });
  return lines.join('\n');
}
