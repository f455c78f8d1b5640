import type { SignedInUser } from '../platform/auth/actor.js';
import { can } from '../platform/auth/policy.js';
import type { Capability, NavigationArea, NavigationPage } from '../platform/capability.js';

export interface NavigationLink { href: string; text: string; active: boolean }
export interface PageNavigation {
  /** The service navigation: Home, then each area this person can use (for govukServiceNavigation). */
  areas: NavigationLink[];
  /** The side navigation of the area the current page belongs to, when it has more than one page. */
  side: { title: string; pages: NavigationLink[] } | null;
}

const byOrder = <T extends { order?: number }>(a: T, b: T) => (a.order ?? 50) - (b.order ?? 50);
const isWithin = (path: string, href: string) => path === href || path.startsWith(`${href}/`);

/**
 * The navigation, assembled once from what each capability contributes: areas in their order, and in each area
 * the pages a person may use. An area with none of its pages open to the person is not shown to them.
 */
export class Navigation {
  private readonly areas: (NavigationArea & { pages: NavigationPage[] })[];

  constructor(capabilities: readonly Capability[]) {
    const areas = capabilities.flatMap((c) => c.navigation?.areas ?? []);
    const pages = capabilities.flatMap((c) => c.navigation?.pages ?? []);
    for (const page of pages) {
      if (!areas.some((a) => a.id === page.area)) throw new Error(`The page ${page.href} names the navigation area ${page.area}, which no capability declares`);
    }
    this.areas = areas.sort(byOrder).map((area) => ({ ...area, pages: pages.filter((p) => p.area === area.id).sort(byOrder) }));
  }

  /** The areas and pages this person may use, each with the href it opens at (its first page). */
  visibleTo(actor: SignedInUser) {
    return this.areas
      .map((area) => ({ id: area.id, title: area.title, pages: area.pages.filter((p) => !p.permission || can(actor, p.permission)) }))
      .filter((area) => area.pages.length > 0);
  }

  for(actor: SignedInUser | null, path: string): PageNavigation {
    if (!actor) {
      return {
        areas: [
          { href: '/find', text: 'Find local services', active: isWithin(path, '/find') },
          { href: '/sign-in', text: 'Sign in', active: path === '/sign-in' },
        ],
        side: null,
      };
    }
    const areas = this.visibleTo(actor);
    // The page's area: the one with the longest page address the path falls within (/admin/taxonomy over /admin).
    let current: { area: (typeof areas)[number]; length: number } | null = null;
    for (const area of areas) {
      for (const page of area.pages) {
        if (isWithin(path, page.href) && (!current || page.href.length > current.length)) current = { area, length: page.href.length };
      }
    }
    const activeArea = current?.area ?? null;
    return {
      areas: [
        { href: '/', text: 'Home', active: path === '/' },
        ...areas.map((area) => ({ href: area.pages[0]!.href, text: area.title, active: area === activeArea })),
      ],
      side: activeArea && activeArea.pages.length > 1
        ? {
          title: activeArea.title,
          pages: activeArea.pages.map((p) => ({ href: p.href, text: p.text, active: isWithin(path, p.href) && p.href.length === current!.length })),
        }
        : null,
    };
  }
}
