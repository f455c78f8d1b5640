import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Capability } from '../platform/capability.js';
import { directoryPolicy } from './policy.js';
import { registerOrganisationRoutes } from './organisations/routes.js';
import { registerOrganisationApi } from './organisations/api.js';
import { registerMergeRoutes } from './merge/routes.js';
import { registerReviewRoutes } from './review/routes.js';
import { registerVerificationJobs } from './review/jobs.js';
import { registerListingChangeRoutes } from './listing-changes/routes.js';
import { registerServiceRoutes } from './services/routes.js';
import { registerDeliveryHistoryRoutes } from './delivery-history/routes.js';
import { registerTaxonomyRoutes } from './taxonomy/routes.js';
import { registerOrukRoutes } from './oruk/routes.js';
import { registerImportRoutes } from './imports/routes.js';
import { registerImportJobs } from './imports/queued.js';
import { registerPublicDirectoryRoutes } from './public/routes.js';
import { PublishedCache } from './published/cache.js';
import { ORUK_USAGE, runOrukImport } from './oruk/import/cli.js';
import { TAXONOMY_IMPORT_USAGE, runTaxonomyImport } from './taxonomy/cli.js';
import { runPostcodeImport } from './geography/postcodes-import.js';
import { installDefaultTaxonomyIfNone } from './taxonomy/default-taxonomy.js';
import { seedDirectory } from './seed.js';
import { directoryPersonalData } from './personal-data/provider.js';
import { directoryHomePanels } from './home/panels.js';
import { findHelpSection } from './home/front-door.js';

const publicAssets = path.join(path.dirname(fileURLToPath(import.meta.url)), 'public', 'assets');

export interface DirectoryOptions {
  /** Bytes of public pages kept per process (0 keeps none, for measuring the uncached cost). */
  keptBytes?: number;
}

/** The directory of local groups and services: the register, services, taxonomy, public search, Open Referral UK. */
export function directoryCapability(options: DirectoryOptions = {}): Capability {
  return {
    name: 'directory',
    policy: directoryPolicy,
    navigation: {
      areas: [{ id: 'directory', title: 'Directory', order: 10 }],
      pages: [
        { area: 'directory', href: '/organisations', text: 'Organisations', permission: 'organisations.read', order: 10 },
        { area: 'directory', href: '/services', text: 'Services', permission: 'organisations.read', order: 20 },
        { area: 'directory', href: '/directory/approvals', text: 'Approvals', permission: 'listing.approve', order: 30 },
        { area: 'directory', href: '/directory/review', text: 'Review due', permission: 'organisations.read', order: 40 },
        { area: 'directory', href: '/directory/changes', text: 'Changes to services', permission: 'directory.export', order: 50 },
        { area: 'directory', href: '/my-organisation', text: 'Our listing', permission: 'listing.edit_own', order: 60 },
        // The public directory, where staff also make signposting lists for callers.
        { area: 'directory', href: '/find', text: 'Find services', order: 70 },
        { area: 'admin', href: '/admin/taxonomy', text: 'Taxonomy', permission: 'taxonomy.manage', order: 50 },
        { area: 'admin', href: '/admin/imports', text: 'Imports', permission: 'directory.import', order: 60 },
        { area: 'admin', href: '/directory/settings', text: 'Directory settings', permission: 'directory.settings', order: 70 },
      ],
    },
    homePanels: directoryHomePanels,
    frontDoor: [findHelpSection],
    assets: ['find.js', 'find.css'].map((name) => ({ name, path: path.join(publicAssets, name) })),
    async routes(app, deps) {
      const published = await PublishedCache.open(deps.db, options.keptBytes);
      await registerOrganisationRoutes(app, deps);
      await registerMergeRoutes(app, deps);
      await registerListingChangeRoutes(app, deps);
      await registerReviewRoutes(app, deps);
      await registerServiceRoutes(app, deps);
      await registerDeliveryHistoryRoutes(app, deps);
      await registerTaxonomyRoutes(app, deps);
      await registerOrukRoutes(app, { ...deps, published });
      await registerImportRoutes(app, deps);
      await registerPublicDirectoryRoutes(app, { ...deps, published });
    },
    api: (api, deps) => registerOrganisationApi(api, deps),
    jobs(queue, deps) {
      registerVerificationJobs(queue, deps);
      registerImportJobs(queue, deps);
    },
    commands: [
      { name: 'import oruk', usage: `${ORUK_USAGE}\n    import an Open Referral UK feed (3.0 or 1.0), ORUK JSON file, or HSDS CSV folder`, run: (args, { open, config }) => runOrukImport(args, open, config.imports) },
      { name: 'import taxonomy', usage: `${TAXONOMY_IMPORT_USAGE}\n    import a taxonomy (HSDS taxonomy and taxonomy terms JSON); a re-import updates it`, run: (args, { open }) => runTaxonomyImport(args, open) },
      {
        name: 'import postcodes',
        usage: 'commonground import postcodes FILE\n    load the ONS Postcode Directory (ONSPD) CSV, for search by distance',
        async run(args, { open }) {
          if (!args[0]) { console.error('Name the file: commonground import postcodes FILE'); return 2; }
          const db = await open();
          try {
            return await runPostcodeImport(db, args[0]);
          } finally {
            await db.close();
          }
        },
      },
    ],
    async setUpLio(tx, lio, now) {
      await installDefaultTaxonomyIfNone(tx, lio.id, now);
    },
    async seedDemo(tx, { lio, now }) {
      await seedDirectory(tx, lio.id, now);
    },
    personalData: directoryPersonalData,
  };
}
