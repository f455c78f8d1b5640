import { parseArgs } from 'node:util';
import pino from 'pino';
import type { CliContext } from '../../platform/capability.js';
import { JobQueue } from '../../platform/jobs.js';
import { LioSetupService } from './service.js';

export const CREATE_LIO_USAGE = 'commonground create-lio --slug SLUG --name NAME --host HOST [--host HOST …] --admin-email E --admin-name N';

/**
 * `create-lio`: the deployment operator adds an LIO from the server's command line. The invitation e-mail is queued
 * for the server to send; the link is shown here too, for a deployment that does not send e-mail yet.
 */
export async function runCreateLio(args: string[], { config, open, setUpLio, clock }: CliContext): Promise<number> {
  const { values } = parseArgs({ args, options: {
    slug: { type: 'string' }, name: { type: 'string' }, host: { type: 'string', multiple: true }, 'admin-email': { type: 'string' }, 'admin-name': { type: 'string' },
  } });
  const db = await open();
  try {
    // The queue only records the e-mail's job here: the server's worker sends it.
    const jobs = new JobQueue(db, clock, pino({ level: 'silent' }), config.worker.pollMs);
    const { errors, added } = await new LioSetupService({ db, clock, config, jobs, setUpLio }).add({ via: 'command line' }, {
      slug: values.slug ?? '', name: values.name ?? '', hostnames: (values.host ?? []).join(' '), adminName: values['admin-name'] ?? '', adminEmail: values['admin-email'] ?? '',
    });
    if (!added) {
      const option: Record<string, string> = { slug: '--slug', name: '--name', hostnames: '--host', adminName: '--admin-name', adminEmail: '--admin-email' };
      for (const e of errors.list) console.error(`${option[e.href.slice(1)] ?? e.href.slice(1)}: ${e.text}`);
      return 2;
    }
    console.log(`LIO ${added.lio.name} (${added.lio.slug}) added, answering on ${added.lio.hostnames.join(', ')}.`);
    console.log(`Its first admin is invited by e-mail; the link to choose a password (valid 7 days) is:\n  ${added.inviteLink}`);
    return 0;
  } finally {
    await db.close();
  }
}
