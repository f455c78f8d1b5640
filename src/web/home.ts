import type { Database } from '../platform/db/index.js';
import type { Clock } from '../platform/clock.js';
import type { SignedInUser } from '../platform/auth/actor.js';
import type { Role } from '../platform/db/schema.js';
import { can } from '../platform/auth/policy.js';
import type { Capability, HomePanel, HomePanelView } from '../platform/capability.js';
import type { Lio } from '../platform/tenancy.js';

export type ShownPanel = HomePanelView & { id: string; area: string };

/**
 * What a role will be able to do once the capabilities for it are built, for a person to whom no capability gives
 * a panel yet. It goes as soon as any capability shows them one, so it never sits beside real work.
 */
const COMING: Partial<Record<Role, (lio: Lio) => HomePanelView>> = {
  partner: (lio) => ({
    title: 'Working with us',
    description: `${lio.name} is bringing its work with partners here. When it is ready, you will be able to:`,
    points: [
      'refer people to local groups, services and volunteers, and follow what happened to each referral',
      'read figures about the local voluntary and community sector: totals, never personal details you were not given',
    ],
    actions: [{ text: 'Find local services and groups', href: '/find' }],
  }),
  network: () => ({
    title: 'Across our members',
    description: 'Figures across member organisations are coming here. When they are ready, you will be able to:',
    points: [
      'read totals gathered across member organisations: never anyone’s personal details',
      'compare the sector’s activity by region, income and size',
    ],
  }),
};

/** The signed-in home page: the panels of every capability this person may see, loaded in one tenant transaction. */
export class Home {
  private readonly panels: HomePanel[];

  constructor(private readonly deps: { db: Database; clock: Clock }, capabilities: readonly Capability[]) {
    this.panels = capabilities.flatMap((c) => c.homePanels ?? []).sort((a, b) => (a.order ?? 50) - (b.order ?? 50));
  }

  async panelsFor(actor: SignedInUser, lio: Lio): Promise<ShownPanel[]> {
    const mine = this.panels.filter((p) => !p.permission || can(actor, p.permission));
    const now = this.deps.clock.now();
    const shown: ShownPanel[] = mine.length ? await this.deps.db.withTenant(lio.id, async (tx) => {
      const views = [];
      for (const panel of mine) {
        const view = await panel.load({ tx, actor, lio, now });
        if (view) views.push({ ...view, id: panel.id, area: panel.area });
      }
      return views;
    }) : [];
    const coming = COMING[actor.role];
    return shown.length || !coming ? shown : [{ ...coming(lio), id: 'coming', area: 'home' }];
  }
}
