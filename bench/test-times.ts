/**
 * Where the test suite's time goes, from a run written with Vitest's JSON reporter:
 *
 *   npx vitest run --reporter=json --outputFile=/tmp/times.json
 *   node --import tsx bench/test-times.ts /tmp/times.json [BEFORE.json]
 *
 * Prints the run's length (first file started to last file ended), the files' time added up, the browser
 * journeys' share, and each file slowest first with when it started; given a second report, each file's time in
 * it beside. Two workers end together only if the slowest files start first: a slow file that starts late shows here.
 */
import { readFileSync } from 'node:fs';

interface Report { numTotalTests: number; numPassedTests: number; numFailedTests: number; testResults: { name: string; startTime: number; endTime: number }[] }
interface FileTime { file: string; seconds: number; startedAt: number }

function read(file: string): { report: Report; files: FileTime[]; runSeconds: number } {
  const report = JSON.parse(readFileSync(file, 'utf8')) as Report;
  const first = Math.min(...report.testResults.map((r) => r.startTime));
  const last = Math.max(...report.testResults.map((r) => r.endTime));
  const files = report.testResults.map((r) => ({
    // Reports from two checkouts name the same file alike: its path from test/ or src/.
    file: r.name.replace(/^.*?\/(?=(?:test|src)\/)/, ''), seconds: (r.endTime - r.startTime) / 1000, startedAt: (r.startTime - first) / 1000,
  })).sort((a, b) => b.seconds - a.seconds);
  return { report, files, runSeconds: (last - first) / 1000 };
}

const [afterFile, beforeFile] = process.argv.slice(2);
if (!afterFile) {
  console.error('Usage: node --import tsx bench/test-times.ts REPORT.json [BEFORE.json]');
  process.exit(2);
}
const after = read(afterFile);
const before = beforeFile ? new Map(read(beforeFile).files.map((f) => [f.file, f.seconds])) : null;
const sum = (files: FileTime[]) => files.reduce((total, f) => total + f.seconds, 0);
const journeys = after.files.filter((f) => f.file.startsWith('test/e2e/'));

console.log(`${after.files.length} files, ${after.report.numTotalTests} tests (${after.report.numPassedTests} passed, ${after.report.numFailedTests} failed)`);
console.log(`run ${after.runSeconds.toFixed(0)} s; files added up ${sum(after.files).toFixed(0)} s, of which journeys ${sum(journeys).toFixed(0)} s`);
console.log(`${'seconds'.padStart(8)}${before ? 'before'.padStart(8) : ''}  started  file`);
for (const f of after.files) {
  const was = before?.get(f.file);
  console.log(`${f.seconds.toFixed(1).padStart(8)}${before ? (was === undefined ? '-' : was.toFixed(1)).padStart(8) : ''}  ${`+${f.startedAt.toFixed(0)}`.padStart(7)}  ${f.file}`);
}
