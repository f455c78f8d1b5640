import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import type { Database } from '../../../platform/db/index.js';
import { systemClock } from '../../../platform/clock.js';
import type { ImportLimits } from '../../../platform/config.js';
import { OrukImportService, type ImportReport } from './importer.js';

/**
 * `commonground import oruk URL-or-FILE [--lio SLUG] [--report FILE]`: an Open Referral feed (its address, an
 * ORUK JSON file, or a folder of HSDS CSV files) into an LIO's directory, with progress on the terminal.
 */

export const ORUK_USAGE = 'commonground import oruk URL-or-FILE-or-FOLDER [--lio SLUG] [--report FILE]';

type Out = { stdout: NodeJS.WritableStream & { isTTY?: boolean }; stderr: NodeJS.WritableStream & { isTTY?: boolean } };

/** Checks the arguments before opening the database (so a mistyped command answers at once), then imports. */
export async function runOrukImport(args: string[], openDatabase: () => Promise<Database>, limits: ImportLimits, out: Out = process): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { lio: { type: 'string' }, report: { type: 'string' } } });
  } catch (err) {
    out.stderr.write(`${(err as Error).message}\nUsage: ${ORUK_USAGE}\n`);
    return 2;
  }
  const target = parsed.positionals[0];
  if (!target || parsed.positionals.length > 1) {
    out.stderr.write(`Name one feed address, file or folder.\nUsage: ${ORUK_USAGE}\n`);
    return 2;
  }
  const db = await openDatabase();
  try {
    return await importInto(db, target, parsed.values, limits, out);
  } finally {
    await db.close();
  }
}

async function importInto(db: Database, target: string, values: { lio?: string; report?: string }, limits: ImportLimits, out: Out): Promise<number> {
  const lio = await chooseLio(db, values.lio);
  if ('error' in lio) {
    out.stderr.write(`${lio.error}\n`);
    return 2;
  }
  const tty = Boolean(out.stderr.isTTY);
  let last = 0;
  let lastLine = '';
  const service = new OrukImportService({ db, clock: systemClock, limits });
  const source = /^https?:\/\//i.test(target) ? { kind: 'url' as const, url: target } : { kind: 'path' as const, path: target };
  out.stderr.write(`Importing ${target} into ${lio.name}\n`);
  const report = await service.importOruk('operator', lio.id, source, {
    onProgress: (p) => {
      const line = p.stage === 'write' ? `${p.message}…` : p.message;
      const now = Date.now();
      if (tty) {
        if (now - last < 150 && p.stage !== 'write') return;
        last = now;
        out.stderr.write(`\r${line.padEnd(Math.max(lastLine.length, line.length))}`);
        lastLine = line;
      } else if (p.stage === 'write' ? line !== lastLine : now - last >= 2000) {
        last = now;
        lastLine = line;
        out.stderr.write(`${line}\n`);
      }
    },
  });
  if (tty && lastLine) out.stderr.write('\n');
  if (values.report) await writeReport(values.report, report);
  (report.status === 'completed' ? out.stdout : out.stderr).write(`${describeOrukImport(report)}\n`);
  // 1: nothing was imported; 3: imported, but some records were refused (listed above), which a scheduled import should notice
  return report.status !== 'completed' ? 1 : report.refused > 0 ? 3 : 0;
}

/**
 * The report as JSON, written a piece at a time: a source with millions of flags makes a report longer than the
 * longest string JavaScript can build, so it is never built whole.
 */
export async function writeReport(file: string, report: ImportReport): Promise<void> {
  const out = createWriteStream(file);
  let pending = '';
  const write = async (text: string, flush = false) => {
    pending += text;
    if (pending.length < 64 * 1024 && !flush) return;
    const ok = out.write(pending);
    pending = '';
    if (!ok) await once(out, 'drain');
  };
  const { issues, ...rest } = report;
  const head = JSON.stringify(rest, null, 2);
  await write(`${head.slice(0, head.lastIndexOf('\n}'))},\n  "issues": [`);
  for (const [i, issue] of issues.entries()) await write(`${i ? ',' : ''}\n    ${JSON.stringify(issue)}`);
  await write(`${issues.length ? '\n  ' : ''}]\n}\n`, true);
  out.end();
  await finished(out);
}

async function chooseLio(db: Database, slug: string | undefined): Promise<{ id: string; name: string } | { error: string }> {
  const lios = await db.system.selectFrom('lios').select(['id', 'name', 'slug', 'is_default']).orderBy('slug').execute();
  if (slug) return lios.find((l) => l.slug === slug) ?? { error: `No LIO with the slug ${slug}. LIOs: ${lios.map((l) => l.slug).join(', ') || 'none'}` };
  const chosen = lios.find((l) => l.is_default) ?? (lios.length === 1 ? lios[0] : undefined);
  if (chosen) return chosen;
  return { error: lios.length ? `Say which LIO with --lio SLUG: ${lios.map((l) => l.slug).join(', ')}` : 'There is no LIO yet: create one first (commonground create-admin)' };
}

const SHOWN = 20;

/** The report as the command prints it. */
export function describeOrukImport(r: ImportReport): string {
  const n = (x: number) => x.toLocaleString('en-GB');
  const issueLine = (i: ImportReport['issues'][number]) => {
    const where = [i.file, i.row ? `row ${i.row}` : null].filter(Boolean).join(' ');
    const what = [i.record, i.id, i.name ? `“${i.name}”` : null].filter(Boolean).join(' ');
    return `  ${i.level === 'warning' ? 'flag   ' : i.level === 'refused' ? 'refused' : 'error  '} ${where ? `${where}: ` : ''}${what}: ${i.message}`;
  };
  const order = { error: 0, refused: 1, warning: 2 };
  const issues = [...r.issues].sort((a, b) => order[a.level] - order[b.level]).slice(0, SHOWN).map(issueLine);
  if (r.issues.length > SHOWN) issues.push(`  … and ${n(r.issues.length - SHOWN)} more (--report FILE keeps them all)`);
  if (r.status === 'rejected') return [r.message ?? 'The import was rejected. Nothing was imported.', ...issues].join('\n');
  const c = r.counts;
  const line = (label: string, k: keyof typeof c) => `  ${label.padEnd(16)} ${n(c[k].created).padStart(9)} created ${n(c[k].updated).padStart(9)} updated`;
  return [
    `Imported in ${r.seconds.toFixed(1)} s:`,
    line('services', 'services'), line('organisations', 'organisations'), line('locations', 'locations'), line('taxonomies', 'taxonomies'), line('taxonomy terms', 'taxonomy_terms'),
    `  refused          ${n(r.refused).padStart(9)}${r.refused ? ' records not imported: they break the standard (listed below)' : ''}`,
    `  flagged          ${n(r.flagged - r.refused).padStart(9)}`,
    ...r.notHeld.map((x) => `  not held here: ${n(x.count)} ${x.what}`),
    ...r.duplicates.slice(0, SHOWN).map((d) => `  likely duplicate: “${d.name}” looks like ${d.likely.map((l) => `“${l.name}” (${l.reasons.join(', ').replaceAll('_', ' ')})`).join(', ')}`),
    ...issues,
  ].join('\n');
}
