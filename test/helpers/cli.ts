import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import type { PersistentStore } from './store.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = path.join(ROOT, 'bin', 'commonground.js');

/** Configuration variables a test must not leak from its own environment into a child process. */
const CONFIG_VARS = ['PORT', 'HOST', 'DATA_DIR', 'DATABASE_URL', 'DATABASE_READ_URL', 'DATABASE_READ_MAX_LAG', 'DATABASE_SCHEMA', 'SMTP_URL', 'MAIL_FROM', 'BASE_URL', 'SESSION_SECRET', 'LOG_LEVEL', 'SIGN_IN_RATE_LIMIT', 'SURGE_SIGNUP_RATE_LIMIT', 'APP_DB_ROLE', 'NODE_ENV', 'ADMIN_PASSWORD', 'METRICS_TOKEN', 'METRICS_PORT', 'METRICS_HOST', 'LOG_FORMAT', 'IMPORT_ALLOW_PRIVATE_ADDRESSES', 'IMPORT_MAX_MB', 'IMPORT_TIMEOUT_SECONDS'];

/** The environment of a `commonground` child: this process's, minus its configuration and the test runner's, plus `env`. */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (CONFIG_VARS.includes(k) || k.startsWith('VITEST') || k === 'NODE_OPTIONS' || k === 'TEST') continue;
    base[k] = v;
  }
  return { ...base, LOG_LEVEL: 'warn', ...env };
}

export interface CliResult { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** Runs `node bin/commonground.js ARGS` to completion. */
export function runCli(args: string[], env: Record<string, string>, timeoutMs = 180_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`commonground ${args.join(' ')} took longer than ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export interface RunningServer {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code and signal once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns `commonground start` on a free port and waits for it to print its address. */
export function startServer(env: Record<string, string>, timeoutMs = 180_000): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'start'], {
      cwd: ROOT, env: childEnv({ PORT: '0', HOST: '127.0.0.1', ...env }), stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let started = false;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
      child.on('exit', (code, signal) => done({ code, signal }));
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not start within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      const match = /running at (http:\/\/[^\s]+?)(?:\s|$)/.exec(out);
      if (match && !started) {
        started = true;
        clearTimeout(timer);
        const url = match[1]!.replace('localhost', '127.0.0.1');
        resolve({
          url, child, output: () => out, exited,
          async kill(signal) {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    void exited.then(({ code, signal }) => {
      if (!started) {
        clearTimeout(timer);
        reject(new Error(`the server exited (${code ?? signal}) before it started:\n${out}`));
      }
    });
  });
}

/**
 * A minimal browser over real HTTP: keeps cookies, does not follow redirects, and can
 * send a form with the CSRF token scraped from the page that holds it.
 */
export class HttpClient {
  private readonly cookies = new Map<string, string>();
  constructor(public base: string) {}

  async get(pathname: string): Promise<{ status: number; body: string; location: string | null }> {
    return this.request('GET', pathname);
  }

  async submit(formPage: string, action: string, fields: Record<string, string>): Promise<{ status: number; body: string; location: string | null }> {
    const page = await this.get(formPage);
    const match = /name="_csrf"\s+value="([^"]+)"|value="([^"]+)"\s+name="_csrf"/.exec(page.body);
    const token = match?.[1] ?? match?.[2];
    if (!token) throw new Error(`No CSRF token on ${formPage} (status ${page.status})`);
    return this.request('POST', action, new URLSearchParams({ ...fields, _csrf: token.replaceAll('&amp;', '&') }).toString());
  }

  private async request(method: string, pathname: string, body?: string) {
    const response = await fetch(new URL(pathname, this.base), {
      method, redirect: 'manual', body,
      headers: {
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...(this.cookies.size ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
      },
    });
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (!value || /max-age=0/i.test(header) || /expires=Thu, 01 Jan 1970/i.test(header)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: response.status, body: await response.text(), location: response.headers.get('location') };
  }
}

/**
 * For a describe block whose tests start servers on one persistent store: the store, made before its tests, and
 * the list to push each server to; every server is killed and the store removed after them.
 */
export function serversOnOneStore(create: () => Promise<PersistentStore>): { readonly store: PersistentStore; servers: RunningServer[] } {
  const state = { store: undefined as unknown as PersistentStore, servers: [] as RunningServer[] };
  beforeAll(async () => { state.store = await create(); });
  afterAll(async () => {
    for (const s of state.servers) await s.kill('SIGKILL');
    await state.store?.dispose();
  });
  return state;
}
