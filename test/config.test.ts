import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { ConfigError, loadConfig } from '../src/platform/config.js';
import { runCli } from './helpers/cli.js';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`no ConfigError for ${JSON.stringify(env)}`);
}

describe('configuration from the environment', () => {
  it('has working defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000, host: '0.0.0.0', databaseUrl: null, databaseSchema: null, smtpUrl: null,
      baseUrl: 'http://localhost:3000', secureCookies: false, logLevel: 'info',
    });
    expect(config.dataDir).toBe(path.resolve('data'));
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads every variable it documents', () => {
    const config = loadConfig({
      PORT: '8080', HOST: '127.0.0.1', DATA_DIR: '/var/lib/commonground', DATABASE_URL: 'postgres://cg@db.internal:5432/commonground',
      DATABASE_SCHEMA: 'tenant_one', SMTP_URL: 'smtps://mailer:secret@smtp.example.org:465', MAIL_FROM: 'CVS <hello@cvs.example.org>',
      BASE_URL: 'https://cvs.example.org/', SESSION_SECRET: 'x'.repeat(32), LOG_LEVEL: 'warn', SIGN_IN_RATE_LIMIT: '20', APP_DB_ROLE: 'cg_app',
      METRICS_TOKEN: 'm'.repeat(32), METRICS_PORT: '9464', METRICS_HOST: '10.0.0.5', LOG_FORMAT: 'pretty',
    });
    expect(config).toMatchObject({
      port: 8080, host: '127.0.0.1', dataDir: '/var/lib/commonground', databaseUrl: 'postgres://cg@db.internal:5432/commonground',
      databaseSchema: 'tenant_one', smtpUrl: 'smtps://mailer:secret@smtp.example.org:465', mailFrom: 'CVS <hello@cvs.example.org>',
      baseUrl: 'https://cvs.example.org', secureCookies: true, sessionSecret: 'x'.repeat(32), logLevel: 'warn', signInRateLimit: 20, appDbRole: 'cg_app',
      metrics: { token: 'm'.repeat(32), port: 9464, host: '10.0.0.5' }, logFormat: 'pretty',
    });
    // Unset, the format follows the terminal (see test/logging.test.ts).
    expect(loadConfig({}).logFormat).toBeNull();
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '', SMTP_URL: '' })).toMatchObject({ port: 3000, databaseUrl: null, smtpUrl: null });
  });

  it('accepts PORT=0 (any free port) and postgresql:// URLs', () => {
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
    expect(loadConfig({ DATABASE_URL: 'postgresql://localhost/cg' }).databaseUrl).toBe('postgresql://localhost/cg');
  });

  const bad: [string, string[]][] = [
    ['PORT', ['abc', '-1', '70000', '3000x', '1.5', ' 80']],
    ['DATABASE_URL', ['mysql://localhost/cg', 'localhost:5432', 'postgres://exa mple/db', 'sqlite:data.db']],
    ['SMTP_URL', ['http://smtp.example.org', 'smtp.example.org:587', 'smtp://', 'smtp://bad host:25']],
    ['BASE_URL', ['cvs.example.org', 'ftp://cvs.example.org', 'https://', 'http://exa mple.org']],
    ['LOG_LEVEL', ['loud', 'INFO', 'verbose']],
    ['SESSION_SECRET', ['too-short']],
    ['DATABASE_SCHEMA', ['Robert"); drop table', '1abc']],
    ['SIGN_IN_RATE_LIMIT', ['ten']],
    ['METRICS_TOKEN', ['short', `${'m'.repeat(40)} with spaces`]],
    ['METRICS_PORT', ['metrics', '70000']],
    ['LOG_FORMAT', ['text', 'JSON']],
  ];
  for (const [variable, values] of bad) {
    for (const value of values) {
      it(`refuses ${variable}=${JSON.stringify(value)} with a ConfigError naming ${variable}`, () => {
        const error = configError({ [variable]: value });
        expect(error.message).toMatch(new RegExp(`^\\s*${variable}: `, 'm'));
        // Only the bad variable is named.
        const named = error.message.split('\n').slice(1).map((l) => l.trim().split(':')[0]);
        expect(named).toEqual([variable]);
      });
    }
  }

  it('reads a replica for public reads only beside a PostgreSQL primary, with its lag bound in seconds', () => {
    const primary = 'postgres://cg@db-1.internal:5432/commonground';
    expect(loadConfig({ DATABASE_URL: primary }).readReplica).toBeNull();
    expect(loadConfig({ DATABASE_URL: primary, DATABASE_READ_URL: 'postgres://cg@db-2.internal:5432/commonground' }).readReplica)
      .toEqual({ url: 'postgres://cg@db-2.internal:5432/commonground', maxLagMs: 5000, checkMs: 2000 });
    expect(loadConfig({ DATABASE_URL: primary, DATABASE_READ_URL: 'postgresql://db-2/cg', DATABASE_READ_MAX_LAG: '30' }).readReplica?.maxLagMs).toBe(30_000);
    // Embedded, there is nothing to replicate.
    expect(configError({ DATABASE_READ_URL: 'postgres://cg@db-2.internal/commonground' }).message).toMatch(/^\s*DATABASE_READ_URL: .*DATABASE_URL/m);
    for (const bad of ['mysql://db-2/cg', 'db-2:5432', 'postgres://exa mple/db']) {
      expect(configError({ DATABASE_URL: primary, DATABASE_READ_URL: bad }).message).toMatch(/^\s*DATABASE_READ_URL: /m);
    }
    for (const bad of ['five', '1.5', '-1']) {
      expect(configError({ DATABASE_URL: primary, DATABASE_READ_URL: 'postgres://db-2/cg', DATABASE_READ_MAX_LAG: bad }).message).toMatch(/^\s*DATABASE_READ_MAX_LAG: /m);
    }
  });

  it('names every bad variable at once', () => {
    const error = configError({ PORT: 'abc', LOG_LEVEL: 'loud', BASE_URL: 'nope' });
    for (const variable of ['PORT', 'LOG_LEVEL', 'BASE_URL']) expect(error.message).toMatch(new RegExp(`^\\s*${variable}: `, 'm'));
  });

  it('never repeats a bad value, which may hold a password', () => {
    const error = configError({ DATABASE_URL: 'mysql://admin:hunter2-secret@db/cg', SMTP_URL: 'http://mailer:pa55word-secret@mail' });
    expect(error.message).not.toContain('hunter2');
    expect(error.message).not.toContain('pa55word');
  });

  it('demands SESSION_SECRET in production', () => {
    expect(configError({ NODE_ENV: 'production' }).message).toContain('SESSION_SECRET');
    expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(40) }).sessionSecret).toBe('s'.repeat(40));
  });

  it('`commonground start` with PORT=abc exits non-zero, naming PORT, without a stack trace', async () => {
    const result = await runCli(['start'], { PORT: 'abc', DATA_DIR: path.join('/nonexistent', 'never-created') });
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.stderr).toMatch(/^\s*PORT: must be a port number/m);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).not.toContain('running at');
  });

  it('`commonground start` with a bad DATABASE_URL exits non-zero, naming it', async () => {
    const result = await runCli(['start'], { DATABASE_URL: 'mysql://root@localhost/cg' });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/DATABASE_URL: must be a PostgreSQL URL/);
  });
});
