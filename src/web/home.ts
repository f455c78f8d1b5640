import type { Database } from '../platform/db/index.js';
import type { Clock } from '../platform/clock.js';
import type { SignedInUser } from '../platform/auth/actor.js';
import { can } from '../platform/auth/policy.js';
import type { Capability, HomePanel, HomePanelView } from '../platform/capability.js';
import type { Lio } from '../platform/tenancy.js';

/** The signed-in home page: the panels of every capability this person may see, loaded in one tenant transaction. */
export class Home {
  private readonly panels: HomePanel[];

  constructor(private readonly deps: { db: Database; clock: Clock }, capabilities: readonly Capability[]) {
    this.panels = capabilities.flatMap((c) => c.homePanels ?? []).sort((a, b) => (a.order ?? 50) - (b.order ?? 50));
  }

  async panelsFor(actor: SignedInUser, lio: Lio): Promise<(HomePanelView & { id: string; area: string })[]> {
    const mine = this.panels.filter((p) => !p.permission || can(actor, p.permission));
    if (!mine.length) return [];
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(lio.id, async (tx) => {
      const shown = [];
      for (const panel of mine) {
        const view = await panel.load({ tx, actor, lio, now });
        if (view) shown.push({ ...view, id: panel.id, area: panel.area });
      }
      return shown;
    });
  }
}
