import { readFileSync, statSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Two workers finish together only if the longest files start first: one left to start last would run alone while
 * the other worker sat idle. Files of one project stay together, so a worker goes on to the next file without
 * starting again; the browser journeys come first, then the file that needs a process of its own (a minute on a
 * busy machine, too long to leave to the end). Of the rest, files that start `commonground` processes come first
 * (each such process loads the app and opens its database, so these are the slowest by far), then the others;
 * within each, the longest by the last run's times, or where a file has none (a fresh clone, as in CI), the larger.
 */
const PROJECT_ORDER = ['journeys', 'own-modules', 'app'];
const SPAWNS = /from '(?:\.\.?\/)+(?:test\/)?helpers\/cli\.js'|node:child_process/;

export class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const order = new Map<TestSpecification, [number, number, number]>();
    for (const spec of files) {
      const last = this.ctx.cache.getFileTestResults(`${spec.project.name}:${relative(root, spec.moduleId)}`);
      // A file with no time of its own goes before those with one; its size (bytes, far above any time in ms) orders it.
      const guess = last && !last.failed ? last.duration : 1e9 + statSync(spec.moduleId).size;
      order.set(spec, [PROJECT_ORDER.indexOf(spec.project.name), SPAWNS.test(readFileSync(spec.moduleId, 'utf8')) ? 0 : 1, -guess]);
    }
    return [...files].sort((a, b) => {
      const [x, y] = [order.get(a)!, order.get(b)!];
      return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
    });
  }
}
