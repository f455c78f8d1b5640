import { parseArgs } from 'node:util';
import type { CliContext } from '../platform/capability.js';
import { hashPassword, PASSWORD_MIN } from '../platform/auth/secrets.js';
import { isEmail } from '../platform/http/forms.js';

export const CREATE_ADMIN_USAGE = 'commonground create-admin --email E --name N [--password P] [--lio SLUG]';

/**
 * `create-admin`: an LIO admin, and the LIO itself when the database has none yet. `setUpLio` prepares a new LIO
 * as every capability asks (the directory's default taxonomy, say).
 */
export async function runCreateAdmin(args: string[], { config, open, setUpLio }: CliContext): Promise<number> {
  const { values } = parseArgs({ args, options: { email: { type: 'string' }, name: { type: 'string' }, password: { type: 'string' }, lio: { type: 'string' } } });
  if (!values.email || !isEmail(values.email)) { console.error('--email must be an email address'); return 2; }
  if (!values.name) { console.error('--name is required'); return 2; }
  const password = values.password ?? process.env.ADMIN_PASSWORD;
  if (!password || password.length < PASSWORD_MIN) { console.error(`--password (or ADMIN_PASSWORD) of at least ${PASSWORD_MIN} characters is required`); return 2; }
  const db = await open();
  try {
    const lio = values.lio
      ? await db.system.selectFrom('lios').select('id').where('slug', '=', values.lio).executeTakeFirst()
      : (await db.system.selectFrom('lios').select('id').where('is_default', '=', true).executeTakeFirst())
        ?? (await db.system.insertInto('lios').values({ slug: 'main', name: 'Common Ground', is_default: true }).returning('id').executeTakeFirstOrThrow());
    if (!lio) { console.error(`No LIO with slug ${values.lio}`); return 2; }
    const now = new Date();
    await db.withTenant(lio.id, (tx) => setUpLio(tx, lio, now));
    const email = values.email;
    const clash = await db.withTenant(lio.id, (tx) => tx.selectFrom('users').select('id').where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase())).executeTakeFirst());
    if (clash) { console.error('There is already an account with this email address'); return 2; }
    await db.withTenant(lio.id, async (tx) => tx.insertInto('users').values({
      lio_id: lio.id, email, display_name: values.name!, role: 'admin', password_hash: await hashPassword(password, config.passwordHashing), status: 'active', created_at: now, updated_at: now,
    }).execute());
    console.log(`Admin ${email} created`);
    return 0;
  } finally {
    await db.close();
  }
}
