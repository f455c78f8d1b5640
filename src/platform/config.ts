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
  TRUST_PROXY: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
  POSTCODES_API_URL: Type.Optional(Type.String({ pattern: '^https?://[^/]+' })),
  MAP_TILE_URL: Type.Optional(Type.String({ pattern: '^https?://[^/]+/.*[{]z[}].*[{]x[}].*[{]y[}]' })),
  OPERATOR_KEY: Type.Optional(Type.String({ minLength: 32 })),
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
  /** Believe X-Forwarded-For/-Proto only behind a known reverse proxy; otherwise clients could dodge rate limits. */
  trustProxy: boolean;
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
  /** a postcodes.io-compatible service asked when a postcode is not in the local table */
  postcodesApiUrl: string | null;
  /** map tiles for the public search map, such as https://tile.example.org/{z}/{x}/{y}.png; none: markers only */
  mapTileUrl: string | null;
  /**
   * The deployment operator's key: whoever holds it may add LIOs at /operator/lios/new (no LIO's user can, admins
   * included). None: that page is not there, and LIOs are added with the create-lio command only.
   */
  operatorKey: string | null;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(EnvSchema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const bad = new Set([...Value.Errors(EnvSchema, picked)].map((e) => e.path.replace(/^\//, '')));
  // The patterns catch the wrong kind of value; these catch values of the right kind that cannot work.
  if (picked.PORT && Number(picked.PORT) > 65535) bad.add('PORT');
  if (picked.DATABASE_URL && !parsesAsUrl(picked.DATABASE_URL, false)) bad.add('DATABASE_URL');
  if (picked.SMTP_URL && !parsesAsUrl(picked.SMTP_URL, true)) bad.add('SMTP_URL');
  if (picked.BASE_URL && !parsesAsUrl(picked.BASE_URL, true)) bad.add('BASE_URL');
  if (bad.size > 0) {
    // Name the variable and what it must be, never the value: it may hold a password.
    const lines = [...bad].map((key) => `${key}: ${describe(key)}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = picked as Static<typeof EnvSchema>;
  const port = e.PORT ? Number(e.PORT) : 3000;
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
    trustProxy: e.TRUST_PROXY === 'true',
    postcodesApiUrl: e.POSTCODES_API_URL ? e.POSTCODES_API_URL.replace(/\/$/, '') : null,
    mapTileUrl: e.MAP_TILE_URL ?? null,
    operatorKey: e.OPERATOR_KEY ?? null,
    ...overrides,
  };
  return Object.freeze(config);
}

function parsesAsUrl(value: string, needsHost: boolean): boolean {
  try {
    const url = new URL(value);
    return !needsHost || url.hostname.length > 0;
  } catch {
    return false;
  }
}

function describe(key: string): string {
  switch (key) {
    case 'PORT': return 'must be a port number from 0 to 65535';
    case 'DATABASE_URL': return 'must be a PostgreSQL URL such as postgres://user@host:5432/db';
    case 'SMTP_URL': return 'must be an SMTP URL such as smtp://user:pass@host:587';
    case 'BASE_URL': return 'must be the public address such as https://cvs.example.org';
    case 'SESSION_SECRET':
    case 'OPERATOR_KEY': return 'must be at least 32 characters';
    case 'LOG_LEVEL': return 'must be one of fatal, error, warn, info, debug, trace, silent';
    case 'DATABASE_SCHEMA':
    case 'APP_DB_ROLE': return 'must be a lower-case PostgreSQL identifier';
    case 'TRUST_PROXY': return 'must be true (behind a reverse proxy that sets X-Forwarded-For) or false';
    case 'POSTCODES_API_URL': return 'must be the address of a postcodes.io-compatible service such as https://api.postcodes.io';
    case 'MAP_TILE_URL': return 'must be a tile address with {z}, {x} and {y}, such as https://tile.example.org/{z}/{x}/{y}.png';
    case 'SIGN_IN_RATE_LIMIT': return 'must be a whole number of attempts per minute';
    default: return 'is not valid';
  }
}
