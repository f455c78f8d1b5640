import { execFile } from 'node:child_process';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** The PostgreSQL 15 server programs (Debian and Ubuntu's place; PG_BIN elsewhere). */
const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

/**
 * A PostgreSQL primary and a hot standby streaming from it, made for one test file in a temporary folder, on
 * ports of their own, and removed by `stop` (call it even when starting failed part way).
 */
export interface ReplicatedPostgres {
  primaryUrl: string;
  replicaUrl: string;
  /** Stops replaying WAL on the standby (it goes on receiving it), as a standby that falls behind does. */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  stopStandby(): Promise<void>;
  startStandby(): Promise<void>;
  stop(): Promise<void>;
}

export async function startReplicatedPostgres(): Promise<ReplicatedPostgres> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cg-replica-'));
  // initdb refuses to run as root, so the servers run as the postgres user when the tests run as root.
  const asRoot = process.getuid?.() === 0;
  const pgTool = async (tool: string, args: string[]) => {
    const command = path.join(PG_BIN, tool);
    await (asRoot ? run('runuser', ['-u', 'postgres', '--', command, ...args]) : run(command, args));
  };
  if (asRoot) {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    await chown(dir, Number(uid.stdout), Number(gid.stdout));
  }
  const [primaryPort, standbyPort] = [await freePort(), await freePort()];
  const primary = path.join(dir, 'primary');
  const standby = path.join(dir, 'standby');
  const started = new Set<string>();
  const serverOptions = (port: number) => `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  const start = async (data: string, port: number) => {
    await pgTool('pg_ctl', ['-D', data, '-o', serverOptions(port), '-l', `${data}.log`, '-w', '-t', '30', 'start']);
    started.add(data);
  };
  const stopServer = async (data: string) => {
    await pgTool('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
    started.delete(data);
  };
  const url = (port: number) => `postgres://postgres@127.0.0.1:${port}/postgres`;
  const onStandby = async (statement: string) => {
    const client = new pg.Client({ connectionString: url(standbyPort) });
    await client.connect();
    try {
      return (await client.query(statement)).rows as Record<string, unknown>[];
    } finally {
      await client.end();
    }
  };
  const cluster: ReplicatedPostgres = {
    primaryUrl: url(primaryPort),
    replicaUrl: url(standbyPort),
    async pauseReplay() {
      await onStandby('select pg_wal_replay_pause()');
      // Pausing takes effect a moment later; a write made before then could still be replayed.
      for (let i = 0; i < 200; i++) {
        if ((await onStandby('select pg_get_wal_replay_pause_state() as state'))[0]?.state === 'paused') return;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error('the standby did not pause');
    },
    async resumeReplay() { await onStandby('select pg_wal_replay_resume()'); },
    stopStandby: () => stopServer(standby),
    startStandby: () => start(standby, standbyPort),
    async stop() {
      for (const data of [...started]) await pgTool('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await pgTool('initdb', ['-D', primary, '-U', 'postgres', '-A', 'trust', '--no-sync', '--no-instructions']);
    await start(primary, primaryPort);
    await pgTool('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', standby, '-R', '-X', 'stream', '-c', 'fast', '--no-sync']);
    await start(standby, standbyPort);
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

/** A port nobody listens on now (the operating system's pick). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
