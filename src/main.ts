import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from './platform/config.js';
import { openDatabase, type Database } from './platform/db/index.js';
import { migrate } from './platform/db/migrate.js';
import { systemClock } from './platform/clock.js';
import { seedDemo } from './seed/demo.js';
import { runTaxonomyImport, TAXONOMY_IMPORT_USAGE } from './directory/taxonomy/cli.js';
import { installDefaultTaxonomyIfNone } from './directory/taxonomy/default-taxonomy.js';
import { backup, restore } from './platform/backup.js';
import { hashPassword, PASSWORD_MIN } from './platform/auth/secrets.js';
import { isEmail } from './platform/http/forms.js';
import { buildApp } from './app.js';
import { runPostcodeImport } from './directory/postcodes-import.js';
import { ORUK_USAGE, runOrukImport } from './directory/oruk/import/cli.js';

const USAGE = `Usage: commonground <command>

Commands:
  start                      migrate, seed the demo LIO on an empty database, and serve
  migrate                    apply database migrations
  seed --demo                add the demo LIO (only into an empty database)
  create-admin --email E --name N [--password P] [--lio SLUG]
                             create an LIO admin (and the LIO if there is none yet)
  backup FILE                write all data to FILE (gzipped JSON lines)
  restore FILE               replace all data with the contents of FILE
  import postcodes FILE      load the ONS Postcode Directory (ONSPD) CSV, for search by distance
  import oruk URL-or-FILE [--lio SLUG] [--report FILE]
                             import an Open Referral UK feed (3.0 or 1.0), ORUK JSON file, or HSDS CSV folder
  import taxonomy FILE [--lio SLUG]
                             import a taxonomy (HSDS taxonomy and taxonomy terms JSON); a re-import updates it

Configuration comes from environment variables: see README.md.`;

async function open(config: Config): Promise<Database> {
  const db = await openDatabase(config);
  await migrate(db);
  return db;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const config = loadConfig();
  try {
    return await run(command, rest, config);
  } catch (err) {
    // A mistyped option is the user's error, not a crash: say what is wrong, no stack trace.
    if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`${(err as Error).message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
}

async function run(command: string | undefined, rest: string[], config: Config): Promise<number> {
  switch (command) {
    case 'start': return start(config);
    case 'migrate': {
      const db = await openDatabase(config);
      const result = await migrate(db);
      console.log(result.applied.length ? `Applied ${result.applied.join(', ')}` : 'Database is up to date');
      await db.close();
      return 0;
    }
    case 'seed': {
      const { values } = parseArgs({ args: rest, options: { demo: { type: 'boolean' } } });
      if (!values.demo) { console.error('Say what to seed: commonground seed --demo'); return 2; }
      const db = await open(config);
      const result = await seedDemo(db, config);
      console.log(result.created ? 'Demo LIO created' : 'The database already has an LIO: demo data not added');
      await db.close();
      return 0;
    }
    case 'create-admin': {
      const { values } = parseArgs({ args: rest, options: { email: { type: 'string' }, name: { type: 'string' }, password: { type: 'string' }, lio: { type: 'string' } } });
      if (!values.email || !isEmail(values.email)) { console.error('--email must be an email address'); return 2; }
      if (!values.name) { console.error('--name is required'); return 2; }
      const password = values.password ?? process.env.ADMIN_PASSWORD;
      if (!password || password.length < PASSWORD_MIN) { console.error(`--password (or ADMIN_PASSWORD) of at least ${PASSWORD_MIN} characters is required`); return 2; }
      const db = await open(config);
      try {
        const lio = values.lio
          ? await db.system.selectFrom('lios').select('id').where('slug', '=', values.lio).executeTakeFirst()
          : (await db.system.selectFrom('lios').select('id').where('is_default', '=', true).executeTakeFirst())
            ?? (await db.system.insertInto('lios').values({ slug: 'main', name: 'Common Ground', is_default: true }).returning('id').executeTakeFirstOrThrow());
        if (!lio) { console.error(`No LIO with slug ${values.lio}`); return 2; }
        await db.withTenant(lio.id, (tx) => installDefaultTaxonomyIfNone(tx, lio.id));
        const email = values.email;
        const clash = await db.withTenant(lio.id, (tx) => tx.selectFrom('users').select('id').where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase())).executeTakeFirst());
        if (clash) { console.error('There is already an account with this email address'); return 2; }
        const now = new Date();
        await db.withTenant(lio.id, async (tx) => tx.insertInto('users').values({
          lio_id: lio.id, email, display_name: values.name!, role: 'admin', password_hash: await hashPassword(password, config.passwordHashing), status: 'active', created_at: now, updated_at: now,
        }).execute());
        console.log(`Admin ${email} created`);
        return 0;
      } finally {
        await db.close();
      }
    }
    case 'backup':
    case 'restore': {
      const file = rest[0];
      if (!file) { console.error(`Name the file: commonground ${command} FILE`); return 2; }
      const db = await open(config);
      try {
        const counts = command === 'backup' ? await backup(db, file) : await restore(db, file);
        const total = Object.values(counts).reduce((a, b) => a + b, 0);
        console.log(`${command === 'backup' ? `Wrote ${file}` : `Restored ${file}`}: ${total} rows (${Object.entries(counts).filter(([, n]) => n > 0).map(([t, n]) => `${n} ${t}`).join(', ') || 'no data'})`);
        return 0;
      } catch (err) {
        console.error(command === 'backup'
          ? `Backup failed: ${(err as Error).message}`
          : `Restore failed; nothing was changed: ${(err as Error).message}`);
        return 1;
      } finally {
        await db.close();
      }
    }
    case 'import': {
      const [kind, ...args] = rest;
      switch (kind) {
        case 'postcodes': {
          if (!args[0]) { console.error('Name the file: commonground import postcodes FILE'); return 2; }
          const db = await open(config);
          try {
            return await runPostcodeImport(db, args[0]);
          } finally {
            await db.close();
          }
        }
        case 'oruk': return runOrukImport(args, () => open(config));
        case 'taxonomy': return runTaxonomyImport(args, () => open(config));
        default:
          console.error(`${kind ? `Unknown import: ${kind}` : 'Say what to import'}. Usage:\n  commonground import postcodes FILE\n  ${ORUK_USAGE}\n  ${TAXONOMY_IMPORT_USAGE}`);
          return 2;
      }
    }
    case undefined:
    case 'help':
    case '--help':
      console.log(USAGE);
      return command ? 0 : 2;
    default:
      console.error(`Unknown command: ${command}\n\n${USAGE}`);
      return 2;
  }
}

async function start(config: Config): Promise<number> {
  const db = await open(config);
  const seeded = await seedDemo(db, config);
  const app = await buildApp({ config, db, clock: systemClock });
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    // In-flight requests finish, the job worker finishes its current job; then the database closes cleanly.
    const force = setTimeout(() => {
      console.error('Shutdown took longer than 10 seconds; stopping anyway');
      process.exit(1);
    }, 10_000);
    force.unref();
    try {
      await app.close();
      await db.close();
    } catch (err) {
      console.error(`Shutdown failed: ${(err as Error).message}`);
      process.exit(1);
    }
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  console.log(`\nCommon Ground is running at http://localhost:${port} (${db.engine === 'pglite' ? `embedded database in ${config.dataDir}` : 'PostgreSQL'})`);
  if (seeded.created) console.log('A demo LIO, Riverside Community Action, was created.');
  const demo = await db.system.selectFrom('users').select('email').where('email', 'in', seeded.signIns.map((s) => s.email)).execute();
  if (demo.length) {
    console.log('\nDemo sign-ins (all with the password shown):');
    for (const s of seeded.signIns) if (demo.some((d) => d.email === s.email)) console.log(`  ${s.role.padEnd(42)} ${s.email.padEnd(32)} ${s.password}`);
  }
  console.log('');
  return -1;
}

main(process.argv.slice(2)).then((code) => {
  if (code >= 0) process.exit(code);
}).catch((err) => {
  if (err instanceof ConfigError) console.error(err.message);
  else console.error(err instanceof Error ? err.stack ?? err.message : err);
  process.exit(1);
});
