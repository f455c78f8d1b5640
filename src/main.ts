import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from './platform/config.js';
import { openDatabase, type Database } from './platform/db/index.js';
import { DataDirInUseError } from './platform/db/data-dir-lock.js';
import { migrate } from './platform/db/migrate.js';
import { systemClock } from './platform/clock.js';
import { lioSetUpOf, type CliCommand, type CliContext } from './platform/capability.js';
import { backup, restore } from './platform/backup.js';
import { seedDemo } from './seed/demo.js';
import { buildApp } from './app.js';
import { capabilities } from './capabilities.js';
import { errorCode } from './platform/errors.js';

const CAPABILITIES = capabilities();
const COMMANDS: CliCommand[] = CAPABILITIES.flatMap((c) => c.commands ?? []);

const USAGE = `Usage: commonground <command>

Commands:
  start                      migrate, seed the demo LIO on an empty database, and serve
  migrate                    apply database migrations
  seed --demo                add the demo LIO (only into an empty database)
  backup FILE                write all data to FILE (gzipped JSON lines)
  restore FILE               replace all data with the contents of FILE
${COMMANDS.map((c) => `  ${c.usage.replace(/^commonground /, '')}`).join('\n')}

Configuration comes from environment variables: see README.md.`;

async function open(config: Config, options: { replica?: boolean } = {}): Promise<Database> {
  // Only the server reads from a replica (DATABASE_READ_URL); commands work on the primary alone.
  const db = await openDatabase(options.replica ? config : { ...config, readReplica: null });
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
    if (errorCode(err)?.startsWith('ERR_PARSE_ARGS')) {
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
      const db = await openDatabase({ ...config, readReplica: null });
      const result = await migrate(db);
      console.log(result.applied.length ? `Applied ${result.applied.join(', ')}` : 'Database is up to date');
      await db.close();
      return 0;
    }
    case 'seed': {
      const { values } = parseArgs({ args: rest, options: { demo: { type: 'boolean' } } });
      if (!values.demo) { console.error('Say what to seed: commonground seed --demo'); return 2; }
      const db = await open(config);
      const result = await seedDemo(db, config, CAPABILITIES);
      console.log(result.created ? 'Demo LIO created' : 'The database already has an LIO: demo data not added');
      await db.close();
      return 0;
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
    case undefined:
    case 'help':
    case '--help':
      console.log(USAGE);
      return command ? 0 : 2;
    default: {
      // A capability's command: one word ('create-admin') or two ('import oruk').
      const one = COMMANDS.find((c) => c.name === command);
      const two = COMMANDS.find((c) => c.name === `${command} ${rest[0]}`);
      const found = one ?? two;
      if (found) return found.run(one ? rest : rest.slice(1), cliContext(config));
      if (COMMANDS.some((c) => c.name.startsWith(`${command} `))) {
        console.error(`${rest[0] ? `Unknown ${command}: ${rest[0]}` : `Say what to ${command}`}. Usage:\n${COMMANDS.filter((c) => c.name.startsWith(`${command} `)).map((c) => `  ${c.usage.split('\n')[0]}`).join('\n')}`);
        return 2;
      }
      console.error(`Unknown command: ${command}\n\n${USAGE}`);
      return 2;
    }
  }
}

function cliContext(config: Config): CliContext {
  return { config, open: () => open(config), setUpLio: lioSetUpOf(CAPABILITIES), clock: systemClock };
}

async function start(config: Config): Promise<number> {
  const db = await open(config, { replica: true });
  const seeded = await seedDemo(db, config, CAPABILITIES);
  const app = await buildApp({ config, db, clock: systemClock, capabilities: CAPABILITIES });
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
  if (app.metricsServer) {
    await app.metricsServer.listen({ port: config.metrics.port ?? 0, host: config.metrics.host });
    const internal = app.metricsServer.server.address();
    console.log(`Metrics for monitoring at http://${config.metrics.host}:${typeof internal === 'object' && internal ? internal.port : config.metrics.port}/metrics`);
  }
  if (seeded.created) console.log('A demo LIO, Riverside Community Action, was created.');
  const demo = await db.system.selectFrom('users').select('email').where('email', 'in', seeded.signIns.map((s) => s.email)).execute();
  if (demo.length) {
    console.log('\nDemo sign-ins (all with the password shown):');
    // Columns as wide as their longest entry, so every line stays aligned whatever the roles are called.
    const shown = seeded.signIns.filter((s) => demo.some((d) => d.email === s.email));
    const roleWidth = Math.max(...shown.map((s) => s.role.length));
    const emailWidth = Math.max(...shown.map((s) => s.email.length));
    for (const s of shown) console.log(`  ${s.role.padEnd(roleWidth)}  ${s.email.padEnd(emailWidth)}  ${s.password}`);
  }
  console.log('');
  return -1;
}

main(process.argv.slice(2)).then((code) => {
  if (code >= 0) process.exit(code);
}).catch((err) => {
  // Both are the user's to fix, and the message says how: no stack trace.
  if (err instanceof ConfigError || err instanceof DataDirInUseError) console.error(err.message);
  else console.error(err instanceof Error ? err.stack ?? err.message : err);
  process.exit(1);
});
