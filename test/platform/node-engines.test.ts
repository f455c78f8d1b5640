import { readFile } from 'node:fs/promises';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

/**
 * The README promises Node 20.19: a clean `npm install` on it must warn about no package of ours (npm warns of each
 * package whose `engines` leave the running Node out, as cookie@2 and content-disposition@3 once did).
 */
describe('what Node the installed packages ask for', () => {
  it('every package in the lock file, ours and our dependencies’ alike, runs on the Node the README names', async () => {
    const own = JSON.parse(await readFile('package.json', 'utf8')) as { engines: { node: string } };
    const lowest = semver.minVersion(own.engines.node)!.version;
    expect(lowest).toBe('20.19.0');
    const lock = JSON.parse(await readFile('package-lock.json', 'utf8')) as { packages: Record<string, { engines?: Record<string, string> | string[] }> };
    const refusing = Object.entries(lock.packages)
      .map(([name, p]) => ({ name: name || 'common-ground', node: Array.isArray(p.engines) ? undefined : p.engines?.node }))
      .filter((p) => p.node !== undefined && !semver.satisfies(lowest, p.node));
    expect(refusing).toEqual([]);
  });
});
