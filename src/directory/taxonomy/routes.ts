import type { FastifyInstance } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import { permitted } from '../../platform/http/guards.js';
import { str } from '../../platform/http/forms.js';
import { actorOf } from '../../platform/http/request-context.js';
import { TaxonomyService } from './service.js';
import { PASTED_JSON, TAXONOMY_IMPORT_MAX_BYTES } from './import.js';
import { acceptTextUploads } from '../../platform/http/multipart.js';
import type { ImportProblem } from './import.js';

const SUMMARY_MAX = 10;

export async function registerTaxonomyRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock }) {
  const taxonomy = new TaxonomyService(deps);
  const guard = { preHandler: permitted('taxonomy.manage') };

  app.get('/admin/taxonomy', guard, async (request, reply) => {
    const wanted = str(request.query, 'taxonomy') || null;
    const view = await taxonomy.overview(request.actor, request.lio.id, wanted);
    return reply.render('directory/taxonomy/views/overview.njk', {
      title: 'Taxonomy', ...view, counts: Object.fromEntries(view.counts),
    });
  });

  app.post('/admin/taxonomy/default', guard, async (request, reply) => {
    const id = await taxonomy.installDefault(request.actor, request.lio.id, actorOf(request));
    return reply.flash('The default taxonomy is installed').redirect(`/admin/taxonomy?taxonomy=${id}`, 303);
  });

  app.get<{ Params: { taxonomyId: string } }>('/admin/taxonomy/:taxonomyId/terms/new', guard, async (request, reply) => {
    const form = await taxonomy.termForm(request.actor, request.lio.id, { taxonomyId: request.params.taxonomyId });
    return reply.render('directory/taxonomy/views/term.njk', {
      title: `Add a term to ${form.taxonomy.name}`, ...form, action: `/admin/taxonomy/${form.taxonomy.id}/terms`,
      values: { parentId: str(request.query, 'parent') },
    });
  });

  app.post<{ Params: { taxonomyId: string } }>('/admin/taxonomy/:taxonomyId/terms', guard, async (request, reply) => {
    const result = await taxonomy.saveTerm(request.actor, request.lio.id, actorOf(request), { taxonomyId: request.params.taxonomyId }, request.body);
    if (result.errors.any) {
      return reply.render('directory/taxonomy/views/term.njk', {
        title: `Add a term to ${result.taxonomy.name}`, ...result, action: `/admin/taxonomy/${result.taxonomy.id}/terms`, errors: result.errors.list,
      }, 400);
    }
    return reply.flash(`${result.values.name} added`).redirect(`/admin/taxonomy?taxonomy=${result.taxonomy.id}#term-${result.id}`, 303);
  });

  app.get<{ Params: { termId: string } }>('/admin/taxonomy/terms/:termId/edit', guard, async (request, reply) => {
    const form = await taxonomy.termForm(request.actor, request.lio.id, { termId: request.params.termId });
    const term = form.term!;
    return reply.render('directory/taxonomy/views/term.njk', {
      title: `Change ${term.name}`, ...form, action: `/admin/taxonomy/terms/${term.id}`,
      values: { code: term.code, name: term.name, description: term.description, parentId: term.parent_id ?? '', termUri: term.term_uri ?? '' },
    });
  });

  app.post<{ Params: { termId: string } }>('/admin/taxonomy/terms/:termId', guard, async (request, reply) => {
    const result = await taxonomy.saveTerm(request.actor, request.lio.id, actorOf(request), { termId: request.params.termId }, request.body);
    if (result.errors.any) {
      return reply.render('directory/taxonomy/views/term.njk', {
        title: `Change ${result.term!.name}`, ...result, action: `/admin/taxonomy/terms/${result.term!.id}`, errors: result.errors.list,
      }, 400);
    }
    return reply.flash(`${result.values.name} saved`).redirect(`/admin/taxonomy?taxonomy=${result.taxonomy.id}#term-${result.id}`, 303);
  });

  app.get<{ Params: { termId: string } }>('/admin/taxonomy/terms/:termId/delete', guard, async (request, reply) => {
    const found = await taxonomy.deleteForm(request.actor, request.lio.id, request.params.termId);
    return reply.render('directory/taxonomy/views/delete.njk', { title: `Delete ${found.term.name}`, ...found });
  });

  app.post<{ Params: { termId: string } }>('/admin/taxonomy/terms/:termId/delete', guard, async (request, reply) => {
    const result = await taxonomy.deleteTerm(request.actor, request.lio.id, actorOf(request), request.params.termId);
    if (result.refusal) {
      return reply.render('directory/taxonomy/views/delete.njk', {
        title: `Delete ${result.term.name}`, ...result, errors: [{ text: result.refusal, href: '#in-use' }],
      }, 400);
    }
    return reply.flash(`${result.term.name} deleted`).redirect(`/admin/taxonomy?taxonomy=${result.taxonomy.id}`, 303);
  });

  app.get('/admin/taxonomy/import', guard, async (request, reply) => {
    await taxonomy.overview(request.actor, request.lio.id, null);
    return reply.render('directory/taxonomy/views/import.njk', { title: 'Import a taxonomy', values: {} });
  });

  // The import form may carry a file: only this route reads multipart bodies.
  await app.register(async (scoped) => {
    await acceptTextUploads(scoped, TAXONOMY_IMPORT_MAX_BYTES, guard.preHandler);
    scoped.post('/admin/taxonomy/import', { ...guard, bodyLimit: TAXONOMY_IMPORT_MAX_BYTES }, async (request, reply) => {
      const pasted = str(request.body, 'json');
      const uploaded = str(request.body, 'file');
      const filename = str(request.body, 'fileFilename');
      // (a chosen file that is empty still sends its name: it is refused as an import, and recorded like one)
      const fromFile = Boolean(uploaded) || (!pasted && Boolean(filename));
      const rerender = (problems: ImportProblem[], status = 400) => {
        const field = fromFile ? 'file' : 'json';
        const errors = problems.slice(0, SUMMARY_MAX).map((p) => ({ text: p.row === 'File' ? p.message : `${p.row}: ${p.field} ${p.message}`, href: `#${field}` }));
        if (problems.length > SUMMARY_MAX) errors.push({ text: `…and ${problems.length - SUMMARY_MAX} more problems, listed below`, href: '#problems' });
        return reply.render('directory/taxonomy/views/import.njk', {
          title: 'Import a taxonomy', values: { json: pasted }, filename, errors, problems, fieldError: { text: problems.length === 1 ? errors[0]!.text : `The import was rejected: ${problems.length} problems, listed below. Nothing was imported.` }, field,
        }, status);
      };
      if (pasted && uploaded) return rerender([{ row: 'File', field: 'json', message: 'Either paste the JSON or choose a file, not both' }]);
      if (!pasted && !fromFile) return rerender([{ row: 'File', field: 'json', message: 'Paste the taxonomy JSON or choose a file to upload' }]);
      const source = fromFile ? { name: filename || 'uploaded file', text: uploaded } : { name: PASTED_JSON, text: pasted };
      const result = await taxonomy.importJson(request.actor, request.lio.id, actorOf(request), source);
      if (!result.ok) return rerender(result.problems);
      const summary = result.taxonomies.map((t) => `${t.name} ${t.action}: ${t.termsAdded} ${t.termsAdded === 1 ? 'term' : 'terms'} added, ${t.termsUpdated} updated`).join('; ');
      return reply.flash(summary).redirect(`/admin/taxonomy?taxonomy=${result.taxonomies[0]!.id}`, 303);
    });
  });
}
