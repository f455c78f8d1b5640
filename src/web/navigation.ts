import type { SignedInUser } from '../platform/auth/actor.js';
import { can, type Permission } from '../platform/auth/policy.js';

interface NavItem { href: string; text: string; permission?: Permission }

const items: NavItem[] = [
  { href: '/', text: 'Home' },
  // The public directory, where staff also make signposting lists for callers.
  { href: '/find', text: 'Find services' },
  { href: '/organisations', text: 'Organisations', permission: 'organisations.read' },
  { href: '/services', text: 'Services', permission: 'organisations.read' },
  { href: '/directory/approvals', text: 'Approvals', permission: 'listing.approve' },
  { href: '/my-organisation', text: 'Our listing', permission: 'listing.edit_own' },
  { href: '/admin/taxonomy', text: 'Taxonomy', permission: 'taxonomy.manage' },
  { href: '/admin/imports', text: 'Imports', permission: 'directory.import' },
  { href: '/admin/users', text: 'Users', permission: 'users.manage' },
  { href: '/admin/audit', text: 'Audit log', permission: 'audit.read' },
  { href: '/admin/outbox', text: 'Outbox', permission: 'outbox.read' },
  { href: '/admin/api-tokens', text: 'API tokens', permission: 'api_tokens.manage' },
];

/** Items shaped for govukServiceNavigation; each role sees only what it can use. */
export function navigationFor(actor: SignedInUser | null, currentPath: string) {
  if (!actor) {
    return [
      { href: '/find', text: 'Find local services', active: currentPath.startsWith('/find') },
      { href: '/sign-in', text: 'Sign in', active: currentPath === '/sign-in' },
    ];
  }
  return items
    .filter((item) => !item.permission || can(actor, item.permission))
    .map((item) => ({
      href: item.href,
      text: item.text,
      active: item.href === '/' ? currentPath === '/' : currentPath.startsWith(item.href),
    }));
}
