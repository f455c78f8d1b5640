import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Case documents kept as files (SUPPORT_DOCUMENTS_DIR) rather than in the database: each under a random name, so
 * nothing a person typed ever becomes a path, and readable by the app's own user only.
 */
const KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export async function keepFile(dir: string, bytes: Uint8Array): Promise<string> {
  const key = randomUUID();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(path.join(dir, key), bytes, { mode: 0o600, flag: 'wx' });
  return key;
}

export async function readKeptFile(dir: string, key: string): Promise<Buffer | null> {
  if (!KEY.test(key)) return null;
  return readFile(path.join(dir, key)).catch(() => null);
}

export async function removeKeptFile(dir: string, key: string): Promise<void> {
  if (KEY.test(key)) await rm(path.join(dir, key), { force: true });
}
