import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import path from 'node:path';
import { isIP } from 'node:net';
import type { MetricsConfig } from './http/metrics.js';
import type { LogFormat } from './logging.js';

/**
 * Configuration is read once from the environment, validated, and frozen.
 * A bad value stops the process at start with a message naming the variable.
 */
const EnvSchema = Type.Object({
  PORT: Type.Optional(Type.String({ pattern: '^[0-9]{1,5}$' })),
  HOST: Type.Optional(Type.String({ minLength: 1 })),
  DATA_DIR: Type.Optional(Type.String({ minLength: 1 })),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  DATABASE_READ_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  DATABASE_READ_MAX_LAG: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$' })),
  DATABASE_SCHEMA: Type.Optional(Type.String({ pattern: '^[a-z_][a-z0-9_]{0,62}$' })),
  SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://' })),
  MAIL_FROM: Type.Optional(Type.String({ minLength: 3 })),
  BASE_URL: Type.Optional(Type.String({ pattern: '^https?://[^/]+' })),
  SESSION_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  LOG_FORMAT: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('pretty')])),
  LOG_LEVEL: Type.Optional(Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)))),
  SIGN_IN_RATE_LIMIT: Type.Optional(Type.String({ pattern: '^[0-9]+$' })),
  SURGE_SIGNUP_RATE_LIMIT: Type.Optional(Type.String({ pattern: '^[0-9]+$' })),
  APP_DB_ROLE: Type.Optional(Type.String({ pattern: '^[a-z_][a-z0-9_]{0,62}$' })),
  NODE_ENV: Type.Optional(Type.String()),
  TRUST_PROXY: Type.Optional(Type.String({ pattern: '^(false|[1-9]|[0-9a-fA-F:.]+(/[0-9]{1,3})?(,[0-9a-fA-F:.]+(/[0-9]{1,3})?)*)$' })),
  POSTCODES_API_URL: Type.Optional(Type.String({ pattern: '^https?://[^/]+' })),
  METRICS_TOKEN: Type.Optional(Type.String({ pattern: '^[!-~]{32,200}$' })),
  METRICS_PORT: Type.Optional(Type.String({ pattern: '^[0-9]{1,5}$' })),
  METRICS_HOST: Type.Optional(Type.String({ minLength: 1 })),
  MAP_TILE_URL: Type.Optional(Type.String({ pattern: '^https?://[^/]+/.*[{]z[}].*[{]x[}].*[{]y[}]' })),
  IMPORT_ALLOW_PRIVATE_ADDRESSES: Type.Optional(Type.String({ pattern: '^(true|false|[0-9a-fA-F:.]+(/[0-9]{1,3})?(,[0-9a-fA-F:.]+(/[0-9]{1,3})?)*)$' })),
  IMPORT_MAX_MB: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,4}$' })),
  IMPORT_TIMEOUT_SECONDS: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,4}$' })),
  // Support for groups: casework documents.
  SUPPORT_DOCUMENTS_DIR: Type.Optional(Type.String({ minLength: 1 })),
  SUPPORT_DOCUMENT_MAX_MB: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,1}$' })),
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
  /**
   * A streaming replica of databaseUrl for public reads that may be a moment behind (search, service pages, the
   * ORUK API), trusted while it replays within maxLagMs of the primary; its health is checked every checkMs.
   */
  readReplica: { url: string; maxLagMs: number; checkMs: number } | null;
  appDbRole: string;
  /**
   * Whose X-Forwarded-For/-Proto to believe: false, no one's (the default); a number, that many proxies in front of
   * the app (the right-most addresses of the header, which they added); a list, the proxies at those addresses and
   * networks. Never every hop: a client writes the left-most addresses itself, and would choose the address that
   * rate limits and the sign-in throttle count.
   */
  trustProxy: false | number | readonly string[];
  smtpUrl: string | null;
  mailFrom: string;
  baseUrl: string;
  secureCookies: boolean;
  sessionSecret: string;
  logLevel: string;
  /** json or pretty as LOG_FORMAT says; null: pretty on a terminal, JSON otherwise (see logging.ts) */
  logFormat: LogFormat | null;
  signInRateLimit: number;
  /** Surge sign-ups a minute from one address (SURGE_SIGNUP_RATE_LIMIT): a household or a shared connection may send several. */
  surgeSignupRateLimit: number;
  /** argon2id cost; lowered only by the test harness to keep suites fast */
  passwordHashing: { memoryCost: number; timeCost: number };
  session: { idleMinutes: number; absoluteHours: number };
  /**
   * Sign-in throttling (accounts/throttle.ts): failures are counted per address, per account from one address and per
   * account from anywhere, within windowMinutes. An address past perAddress waits for the window to end; an account
   * from one address past perAccountFromAddress waits 1, 2, 4… minutes (up to maxDelayMinutes) after each further
   * failure; an account past perAccount is signed in to only from a device used before, or after a password reset.
   */
  signInThrottle: { windowMinutes: number; perAddress: number; perAccountFromAddress: number; maxDelayMinutes: number; perAccount: number };
  worker: { pollMs: number; enabled: boolean };
  /** a postcodes.io-compatible service asked when a postcode is not in the local table */
  postcodesApiUrl: string | null;
  /** who may read /metrics: a bearer token on the public port and/or an internal port of its own; neither, no one */
  metrics: MetricsConfig;
  /** map tiles for the public search map, such as https://tile.example.org/{z}/{x}/{y}.png; none: markers only */
  mapTileUrl: string | null;
  imports: ImportLimits;
  /**
   * Documents kept on support cases: in the database (dir null, the default) or as files named by random ids in a folder
   * outside the web root; maxBytes is the largest one taken (SUPPORT_DOCUMENT_MAX_MB, 10 MB unless set, at most 50).
   */
  supportDocuments: { dir: string | null; maxBytes: number };
  /**
   * The deployment operator's key: whoever holds it may add LIOs at /operator/lios/new (no LIO's user can, admins
   * included). None: that page is not there, and LIOs are added with the create-lio command only.
   */
  operatorKey: string | null;
}

/** What an import may read: how much, for how long, and from where. */
export interface ImportLimits {
  /**
   * Feeds on loopback, private, link-local and other non-public addresses: refused unless the operator allows them
   * (a feed on the same private network), since an admin typing such an address could otherwise probe the server's network.
   * true allows them all; a list allows only those addresses and networks ("10.1.2.3", "10.1.0.0/16").
   */
  allowPrivateAddresses: boolean | readonly string[];
  /** the largest source read, a feed's page or a file */
  maxBytes: number;
  /** the longest a feed's page may take to arrive, headers and whole body */
  timeoutMs: number;
}

export const DEFAULT_IMPORT_LIMITS: ImportLimits = Object.freeze({ allowPrivateAddresses: false, maxBytes: 200 * 1024 * 1024, timeoutMs: 60_000 });

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
  // (the database keeps a document of up to 50 MB: support_case_documents.size_bytes)
  if (picked.SUPPORT_DOCUMENT_MAX_MB && Number(picked.SUPPORT_DOCUMENT_MAX_MB) > 50) bad.add('SUPPORT_DOCUMENT_MAX_MB');
  if (picked.METRICS_PORT && Number(picked.METRICS_PORT) > 65535) bad.add('METRICS_PORT');
  if (picked.DATABASE_URL && !parsesAsUrl(picked.DATABASE_URL, false)) bad.add('DATABASE_URL');
  // A replica copies a PostgreSQL server: without DATABASE_URL there is only the embedded database, nothing to copy.
  if (picked.DATABASE_READ_URL && (!parsesAsUrl(picked.DATABASE_READ_URL, false) || !picked.DATABASE_URL)) bad.add('DATABASE_READ_URL');
  if (picked.SMTP_URL && !parsesAsUrl(picked.SMTP_URL, true)) bad.add('SMTP_URL');
  if (picked.BASE_URL && !parsesAsUrl(picked.BASE_URL, true)) bad.add('BASE_URL');
  if (picked.TRUST_PROXY && !/^(false|[1-9])$/.test(picked.TRUST_PROXY) && !picked.TRUST_PROXY.split(',').every(isAddressOrNetwork)) bad.add('TRUST_PROXY');
  if (picked.IMPORT_ALLOW_PRIVATE_ADDRESSES && !/^(true|false)$/.test(picked.IMPORT_ALLOW_PRIVATE_ADDRESSES)
    && !picked.IMPORT_ALLOW_PRIVATE_ADDRESSES.split(',').every(isAddressOrNetwork)) bad.add('IMPORT_ALLOW_PRIVATE_ADDRESSES');
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
    readReplica: e.DATABASE_READ_URL
      ? { url: e.DATABASE_READ_URL, maxLagMs: (e.DATABASE_READ_MAX_LAG ? Number(e.DATABASE_READ_MAX_LAG) : 5) * 1000, checkMs: 2000 }
      : null,
    appDbRole: e.APP_DB_ROLE ?? 'commonground_app',
    smtpUrl: e.SMTP_URL ?? null,
    mailFrom: e.MAIL_FROM ?? 'Common Ground <no-reply@commonground.local>',
    baseUrl,
    secureCookies: baseUrl.startsWith('https://'),
    sessionSecret: e.SESSION_SECRET ?? 'development-only-secret-change-me-in-production',
    logLevel: e.LOG_LEVEL ?? 'info',
    logFormat: e.LOG_FORMAT ?? null,
    signInRateLimit: e.SIGN_IN_RATE_LIMIT ? Number(e.SIGN_IN_RATE_LIMIT) : 10,
    surgeSignupRateLimit: e.SURGE_SIGNUP_RATE_LIMIT ? Number(e.SURGE_SIGNUP_RATE_LIMIT) : 30,
    passwordHashing: { memoryCost: 19456, timeCost: 2 },
    session: { idleMinutes: 120, absoluteHours: 12 },
    signInThrottle: { windowMinutes: 60, perAddress: 50, perAccountFromAddress: 5, maxDelayMinutes: 15, perAccount: 100 },
    worker: { pollMs: 1000, enabled: true },
    trustProxy: !e.TRUST_PROXY || e.TRUST_PROXY === 'false' ? false : /^[1-9]$/.test(e.TRUST_PROXY) ? Number(e.TRUST_PROXY) : Object.freeze(e.TRUST_PROXY.split(',')),
    postcodesApiUrl: e.POSTCODES_API_URL ? e.POSTCODES_API_URL.replace(/\/$/, '') : null,
    mapTileUrl: e.MAP_TILE_URL ?? null,
    imports: {
      allowPrivateAddresses: !e.IMPORT_ALLOW_PRIVATE_ADDRESSES || e.IMPORT_ALLOW_PRIVATE_ADDRESSES === 'false' ? false
        : e.IMPORT_ALLOW_PRIVATE_ADDRESSES === 'true' ? true : Object.freeze(e.IMPORT_ALLOW_PRIVATE_ADDRESSES.split(',')),
      maxBytes: e.IMPORT_MAX_MB ? Number(e.IMPORT_MAX_MB) * 1024 * 1024 : DEFAULT_IMPORT_LIMITS.maxBytes,
      timeoutMs: e.IMPORT_TIMEOUT_SECONDS ? Number(e.IMPORT_TIMEOUT_SECONDS) * 1000 : DEFAULT_IMPORT_LIMITS.timeoutMs,
    },
    metrics: { token: e.METRICS_TOKEN ?? null, port: e.METRICS_PORT ? Number(e.METRICS_PORT) : null, host: e.METRICS_HOST ?? '127.0.0.1' },
    operatorKey: e.OPERATOR_KEY ?? null,
    supportDocuments: {
      dir: e.SUPPORT_DOCUMENTS_DIR ? path.resolve(e.SUPPORT_DOCUMENTS_DIR) : null,
      maxBytes: (e.SUPPORT_DOCUMENT_MAX_MB ? Number(e.SUPPORT_DOCUMENT_MAX_MB) : 10) * 1024 * 1024,
    },
    ...overrides,
  };
  return Object.freeze(config);
}

function isAddressOrNetwork(value: string): boolean {
  const [address = '', bits] = value.split('/');
  const family = isIP(address);
  return family !== 0 && (bits === undefined || Number(bits) <= (family === 4 ? 32 : 128));
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
    case 'PORT':
    case 'METRICS_PORT': return 'must be a port number from 0 to 65535';
    case 'METRICS_TOKEN': return 'must be 32 to 200 printable characters with no spaces';
    case 'DATABASE_URL': return 'must be a PostgreSQL URL such as postgres://user@host:5432/db';
    case 'DATABASE_READ_URL': return 'must be a PostgreSQL URL such as postgres://user@replica:5432/db, with DATABASE_URL set to its primary';
    case 'DATABASE_READ_MAX_LAG': return 'must be a whole number of seconds';
    case 'SMTP_URL': return 'must be an SMTP URL such as smtp://user:pass@host:587';
    case 'BASE_URL': return 'must be the public address such as https://cvs.example.org';
    case 'SESSION_SECRET':
    case 'OPERATOR_KEY': return 'must be at least 32 characters';
    case 'LOG_FORMAT': return 'must be json or pretty';
    case 'LOG_LEVEL': return 'must be one of fatal, error, warn, info, debug, trace, silent';
    case 'DATABASE_SCHEMA':
    case 'APP_DB_ROLE': return 'must be a lower-case PostgreSQL identifier';
    case 'TRUST_PROXY': return 'must be false, the number of reverse proxies in front of the app (1 to 9, such as 1 behind one proxy), or their addresses and networks such as 10.0.0.2,10.1.0.0/16 (true is not taken: it would let a client choose its own address)';
    case 'POSTCODES_API_URL': return 'must be the address of a postcodes.io-compatible service such as https://api.postcodes.io';
    case 'MAP_TILE_URL': return 'must be a tile address with {z}, {x} and {y}, such as https://tile.example.org/{z}/{x}/{y}.png';
    case 'IMPORT_ALLOW_PRIVATE_ADDRESSES': return 'must be true (imports may read feeds on private and local networks), false, or a list of addresses and networks such as 10.1.2.3,10.2.0.0/16';
    case 'IMPORT_MAX_MB': return 'must be a whole number of megabytes, the largest source an import reads';
    case 'SUPPORT_DOCUMENTS_DIR': return 'must be the path of a folder outside the web root where case documents are kept';
    case 'SUPPORT_DOCUMENT_MAX_MB': return 'must be a whole number of megabytes from 1 to 50, the largest document a case takes';
    case 'IMPORT_TIMEOUT_SECONDS': return 'must be a whole number of seconds, the longest a feed’s page may take';
    case 'SIGN_IN_RATE_LIMIT': return 'must be a whole number of attempts per minute';
    case 'SURGE_SIGNUP_RATE_LIMIT': return 'must be a whole number of sign-ups per minute';
    default: return 'is not valid';
  }
}
