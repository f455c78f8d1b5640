import type { Queryable } from '../../platform/db/index.js';
import type { HomePanel } from '../../platform/capability.js';
import { can } from '../../platform/auth/policy.js';
import { directoryHomeRepository as repo } from './repository.js';
import { verificationRepository } from '../review/repository.js';
import { organisationsRepository } from '../organisations/repository.js';
import { STATUSES } from '../organisations/record.js';
import { londonDay } from '../../platform/validation/dates.js';
import { plural } from '../../platform/text.js';
import { importsRepository } from '../imports/repository.js';
import { REFUSED_DAYS } from '../imports/service.js';

/** Listings due, by the review queue's own rule (/directory/review), so the count is the length of the page it links to. */
async function dueForReview(tx: Queryable, lioId: string, now: Date): Promise<number> {
  return (await verificationRepository.queue(tx, now, await organisationsRepository.verificationMonths(tx, lioId), 1, 0)).total;
}

const londonDate = (at: Date) => at.toLocaleDateString('en-GB', { dateStyle: 'medium', timeZone: 'Europe/London' });

export const directoryHomePanels: HomePanel[] = [
  {
    // LIO staff: the directory work waiting, each count the length of the list it opens.
    id: 'directory-work',
    area: 'directory',
    permission: 'organisations.read',
    order: 10,
    async load({ tx, actor, lio, now }) {
      const waiting = [];
      if (can(actor, 'listing.approve')) {
        const n = await repo.pendingChanges(tx);
        waiting.push({ count: n, label: plural(n, 'change from a group waits for approval', 'changes from groups wait for approval'), href: '/directory/approvals' });
      }
      const due = await dueForReview(tx, lio.id, now);
      waiting.push({ count: due, label: plural(due, 'listing is due for review', 'listings are due for review'), href: '/directory/review' });
      const unanswered = await verificationRepository.countUnanswered(tx);
      waiting.push({ count: unanswered, label: plural(unanswered, 'verification e-mail not answered yet', 'verification e-mails not answered yet'), href: '/directory/review?show=unanswered' });
      if (can(actor, 'directory.import')) {
        // The refused imports of the last REFUSED_DAYS days, by the rule of the list it opens.
        const rejected = await importsRepository.countRefused(tx, now, REFUSED_DAYS);
        waiting.push({ count: rejected, label: `${plural(rejected, 'import', 'imports')} refused in the last ${REFUSED_DAYS} days`, href: '/admin/imports?status=rejected' });
      }
      return {
        title: 'Directory',
        waiting,
        actions: [
          ...(can(actor, 'organisations.write') ? [{ text: 'Add an organisation', href: '/organisations/new' }] : []),
          { text: 'Find services for someone', href: '/find' },
        ],
      };
    },
  },
  {
    // Those who run the directory (its settings are theirs) see the month so far, in the sector's terms.
    id: 'directory-month',
    area: 'directory',
    permission: 'directory.settings',
    order: 15,
    async load({ tx, now }) {
      const today = londonDay(now);
      const period = { from: `${today.slice(0, 8)}01`, to: today };
      const month = await repo.thisMonth(tx, now);
      const changes = await repo.serviceChangeCounts(tx, period);
      const report = `/directory/changes?${new URLSearchParams(period).toString()}`;
      return {
        title: 'Directory this month',
        figures: [
          { label: 'Organisations added', value: String(month.organisationsAdded) },
          { label: 'Services added', value: String(month.servicesAdded) },
          { label: 'Listings verified', value: String(month.listingsVerified) },
          { label: 'Remaking: new services', value: String(changes.remaking), href: `${report}#remaking` },
          { label: 'Rearranging: delivered in new ways', value: String(changes.rearranging), href: `${report}#rearranging` },
          { label: 'Reaffirming: continued unchanged', value: String(changes.reaffirming), href: `${report}#reaffirming` },
        ],
      };
    },
  },
  {
    // A group member keeps their organisation's listing: how it stands, and whether their change waits.
    id: 'directory-listing',
    area: 'directory',
    permission: 'listing.edit_own',
    order: 10,
    async load({ tx, actor }) {
      if (!actor.organisationId) return null;
      const listing = await repo.listing(tx, actor.organisationId);
      if (!listing) return null;
      const pending = Number(listing.pending);
      return {
        title: `Your listing: ${listing.name}`,
        figures: [
          { label: 'Status', value: STATUSES[listing.status as keyof typeof STATUSES] ?? listing.status },
          { label: 'Last checked', value: listing.last_verified_at ? londonDate(listing.last_verified_at) : 'Not checked yet' },
          { label: 'Changes waiting for approval', value: String(pending), href: '/my-organisation' },
        ],
        actions: [{ text: 'See or change your listing', href: '/my-organisation' }],
      };
    },
  },
];
