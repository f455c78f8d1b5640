import { createHash, randomBytes } from 'node:crypto';
import argon2 from 'argon2';

/** A random secret for links and cookies; only its SHA-256 is ever stored. */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export interface HashingCost { memoryCost: number; timeCost: number }

export function hashPassword(password: string, cost: HashingCost): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id, memoryCost: cost.memoryCost, timeCost: cost.timeCost, parallelism: 1 });
}

// Verified against when the e-mail is unknown so the answer takes as long as for a real account.
let decoy: Promise<string> | null = null;

export async function verifyPassword(hash: string | null, password: string, cost: HashingCost): Promise<boolean> {
  if (!hash) {
    decoy ??= hashPassword(newSecret(), cost);
    await argon2.verify(await decoy, password).catch(() => false);
    return false;
  }
  return argon2.verify(hash, password).catch(() => false);
}

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;
