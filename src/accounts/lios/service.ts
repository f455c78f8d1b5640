import { timingSafeEqual } from 'node:crypto';
import type { Database } from '../../platform/db/index.js';
import { enterTenant } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import type { JobQueue } from '../../platform/jobs.js';
import type { LioSetUp } from '../../platform/capability.js';
import type { Lio } from '../../platform/tenancy.js';
import { hashSecret } from '../../platform/auth/secrets.js';
import { recordAudit } from '../../platform/audit.js';
import type { FormErrors } from '../../platform/http/forms.js';
import { accountsRepository } from '../repository.js';
import { sendInvite } from '../service.js';
import { liosRepository as repo } from './repository.js';
import { readNewLio, type LioFormValues } from './form.js';

/**
 * Who may add an LIO: the deployment operator, that is someone at the server's command line, or on the web someone
 * who gives the operator key of the configuration (OPERATOR_KEY). No user of an LIO can, its admins included: an
 * LIO's people run their own LIO, not the deployment.
 */
export type LioAdder = { via: 'command line' } | { via: 'operator key'; key: string };

export interface AddedLio { lio: Lio; adminEmail: string; inviteLink: string }

export class LioSetupService {
  constructor(private readonly deps: { db: Database; clock: Clock; config: Config; jobs: JobQueue; setUpLio: LioSetUp }) {}

  /** Whether the web page exists at all: only where the configuration names an operator key. */
  get operatorPageOpen(): boolean {
    return this.deps.config.operatorKey !== null;
  }

  /**
   * Adds an LIO with its host names, prepares it as every capability asks, and invites its first admin, in one
   * transaction: any refusal leaves nothing behind.
   */
  async add(by: LioAdder, values: LioFormValues): Promise<{ errors: FormErrors; added?: AddedLio }> {
    const { lio: input, errors } = readNewLio(values);
    // Nothing is looked up without the key (not even whether a slug is taken); the form's own mistakes are shown with it.
    if (!this.mayAdd(by)) errors.add('operatorKey', 'Enter the operator key this deployment was set up with');
    if (errors.any) return { errors };
    const { db, clock, config, jobs, setUpLio } = this.deps;
    const added = await db.system.transaction().execute(async (tx) => {
      await repo.lockAdding(tx);
      if (await repo.slugTaken(tx, input.slug)) errors.add('slug', `There is already an LIO with the short name ${input.slug}`);
      const taken = await repo.hostnamesTaken(tx, input.hostnames);
      if (taken.length) errors.add('hostnames', taken.map((t) => `${t.hostname} is already the address of ${t.name}`).join('; '));
      if (errors.any) return undefined;
      const now = clock.now();
      const lio = await repo.insert(tx, { slug: input.slug, name: input.name, hostnames: input.hostnames, now });
      // From here on the work is the new LIO's own, under row-level security like any other.
      await enterTenant(tx, db.appRole, lio.id);
      await setUpLio(tx, lio, now);
      const actor = { userId: null, label: by.via === 'command line' ? 'operator (command line)' : 'operator' };
      await recordAudit(tx, lio.id, actor, { action: 'lio.created', subjectType: 'lio', subjectId: lio.id, detail: { slug: lio.slug, hostnames: lio.hostnames } }, now);
      const admin = await accountsRepository.insert(tx, {
        lioId: lio.id, email: input.adminEmail, displayName: input.adminName, role: 'admin', permissionSets: [], organisationId: null, passwordHash: null, status: 'invited', now,
      });
      const inviteLink = await sendInvite(tx, { jobs, clock }, {
        lioId: lio.id, lioName: lio.name, origin: originOf(config.baseUrl, lio.hostnames[0]!), userId: admin.id,
        email: input.adminEmail, displayName: input.adminName, role: 'admin', invitedBy: 'The operator of this Common Ground service',
      });
      await recordAudit(tx, lio.id, actor, { action: 'user.invited', subjectType: 'user', subjectId: admin.id, detail: { role: 'admin', permissionSets: [] } }, now);
      return { lio, adminEmail: input.adminEmail, inviteLink };
    });
    return added ? { errors, added } : { errors };
  }

  private mayAdd(by: LioAdder): boolean {
    if (by.via === 'command line') return true;
    const key = this.deps.config.operatorKey;
    // Compared as digests, so the time taken says nothing about how much of the key was right.
    return key !== null && timingSafeEqual(Buffer.from(hashSecret(by.key)), Buffer.from(hashSecret(key)));
  }
}

/** The new LIO's own address for e-mailed links: its first host name, with the scheme and port the deployment is served on. */
function originOf(baseUrl: string, hostname: string): string {
  const url = new URL(baseUrl);
  url.hostname = hostname;
  return url.origin;
}
