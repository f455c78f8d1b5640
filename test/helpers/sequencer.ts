import { readFileSync, statSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Two workers finish together only if the longest files start first: one left to start last would run alone while
 * the other worker sat idle. A file's time from the last run is the best guess; a fresh clone (CI) has none, so there
 * a browser journey counts as the longest, then a file that starts `commonground` processes, then the larger file.
 * Files of one project stay together so a worker can go on to the next file without starting again.
 */
const PROJECT_ORDER = ['journeys', 'app', 'own-modules'];
const SPAWNS = /from '(?:\.\.?\/)+(?:test\/)?helpers\/cli\.js'|node:child_process/;

export class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const guess = new Map<TestSpecification, number>();
    for (const spec of files) {
      const last = this.ctx.cache.getFileTestResults(`${spec.project.name}:${relative(root, spec.moduleId)}`);
      if (last && !last.failed) { guess.set(spec, last.duration); continue; }
      // Without a time of its own: bytes of test code stand for seconds, far above any file that does not spawn.
      const size = statSync(spec.moduleId).size;
      guess.set(spec, 1e9 + (SPAWNS.test(readFileSync(spec.moduleId, 'utf8')) ? 1e8 : 0) + size);
    }
    const rank = (spec: TestSpecification) => PROJECT_ORDER.indexOf(spec.project.name);
    return [...files].sort((a, b) => rank(a) - rank(b) || guess.get(b)! - guess.get(a)!);
  }
}
