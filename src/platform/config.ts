import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import path from 'node:path';

/**
 * Configuration is read once from the environment, validated, and frozen.
 * A bad value stops the process at start with a message naming the variable.
 */
const EnvSchema = Type.Object({
  PORT: Type.Optional(Type.String({ pattern: '^[0-9]{1,5}$' })),
  HOST: Type.Optional(Type.String({ minLength: 1 })),
  DATA_DIR: Type.Optional(Type.String({ minLength: 1 })),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  DATABASE_SCHEMA: Type.Optional(Type.String({ pattern: '^[a-z_][a-z0-9_]{0,62}$' })),
  SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://' })),
  MAIL_FROM: Type.Optional(Type.String({ minLength: 3 })),
  BASE_URL: Type.Optional(Type.String({ pattern: '^https?://[^/]+' })),
  SESSION_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  LOG_LEVEL: Type.Optional(Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)))),
  SIGN_IN_RATE_LIMIT: Type.Optional(Type.String({ pattern: '^[0-9]+$' })),
  APP_DB_ROLE: Type.Optional(Type.String({ pattern: '^[a-z_][a-z0-9_]{0,62}$' })),
  NODE_ENV: Type.Optional(Type.String()),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** null means the embedded PGlite database in dataDir (or in memory when dataDir is ':memory:') */
  databaseUrl: string | null;
  /** PostgreSQL schema to use; lets test files run side by side in one database */
  databaseSchema: string | null;
  appDbRole: string;
  smtpUrl: string | null;
  mailFrom: string;
  baseUrl: string;
  secureCookies: boolean;
  sessionSecret: string;
  logLevel: string;
  signInRateLimit: number;
  /** argon2id cost; lowered only by the test harness to keep suites fast */
  passwordHashing: { memoryCost: number; timeCost: number };
  session: { idleMinutes: number; absoluteHours: number };
  lockout: { maxFailures: number; minutes: number };
  worker: { pollMs: number; enabled: boolean };
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(EnvSchema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const errors = [...Value.Errors(EnvSchema, picked)];
  if (errors.length > 0) {
    const lines = errors.map((e) => `${e.path.replace(/^\//, '')}: ${describe(e.path.replace(/^\//, ''))}`);
    throw new ConfigError(`Invalid configuration:\n  ${[...new Set(lines)].join('\n  ')}`);
  }
  const e = picked as Static<typeof EnvSchema>;
  const port = e.PORT ? Number(e.PORT) : 3000;
  if (port > 65535) throw new ConfigError('Invalid configuration:\n  PORT: must be a port number from 0 to 65535');
  const baseUrl = (e.BASE_URL ?? `http://localhost:${port}`).replace(/\/$/, '');
  const production = e.NODE_ENV === 'production';
  if (production && !e.SESSION_SECRET) {
    throw new ConfigError('Invalid configuration:\n  SESSION_SECRET: must be set (at least 32 characters) when NODE_ENV=production');
  }
  const config: Config = {
    port,
    host: e.HOST ?? '0.0.0.0',
    dataDir: path.resolve(e.DATA_DIR ?? 'data'),
    databaseUrl: e.DATABASE_URL ?? null,
    databaseSchema: e.DATABASE_SCHEMA ?? null,
    appDbRole: e.APP_DB_ROLE ?? 'commonground_app',
    smtpUrl: e.SMTP_URL ?? null,
    mailFrom: e.MAIL_FROM ?? 'Common Ground <no-reply@commonground.local>',
    baseUrl,
    secureCookies: baseUrl.startsWith('https://'),
    sessionSecret: e.SESSION_SECRET ?? 'development-only-secret-change-me-in-production',
    logLevel: e.LOG_LEVEL ?? 'info',
    signInRateLimit: e.SIGN_IN_RATE_LIMIT ? Number(e.SIGN_IN_RATE_LIMIT) : 10,
    passwordHashing: { memoryCost: 19456, timeCost: 2 },
    session: { idleMinutes: 120, absoluteHours: 12 },
    lockout: { maxFailures: 5, minutes: 15 },
    worker: { pollMs: 1000, enabled: true },
    ...overrides,
  };
  return Object.freeze(config);
}

function describe(key: string): string {
  switch (key) {
    case 'PORT': return 'must be a port number from 0 to 65535';
    case 'DATABASE_URL': return 'must be a PostgreSQL URL such as postgres://user@host:5432/db';
    case 'SMTP_URL': return 'must be an SMTP URL such as smtp://user:pass@host:587';
    case 'BASE_URL': return 'must be the public address such as https://cvs.example.org';
    case 'SESSION_SECRET': return 'must be at least 32 characters';
    case 'LOG_LEVEL': return 'must be one of fatal, error, warn, info, debug, trace, silent';
    case 'DATABASE_SCHEMA':
    case 'APP_DB_ROLE': return 'must be a lower-case PostgreSQL identifier';
    case 'SIGN_IN_RATE_LIMIT': return 'must be a whole number of attempts per minute';
    default: return 'is not valid';
  }
}
