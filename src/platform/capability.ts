import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import type { Database, Queryable } from './db/index.js';
import type { Clock } from './clock.js';
import type { JobQueue } from './jobs.js';
import type { Mailer } from './mail.js';
import type { Lio } from './tenancy.js';
import type { Sessions } from './http/session.js';
import type { SignedInUser } from './auth/actor.js';
import type { Permission, PolicyRules } from './auth/policy.js';
import type { PersonalDataProvider } from './personal-data.js';
import type { RecordPanel } from './record-panels.js';

/**
 * What a capability (directory, volunteering, community response …) gives the app. `buildApp`, the CLI and the
 * demo seed read one list of these (src/capabilities.ts); a capability's `index.ts` exports its one Capability and
 * nothing else the rest of the app may use. See docs/architecture.md.
 */
export interface Capability {
  /** Folder name and stable key: 'directory'. */
  name: string;
  /** Its permissions, registered into the one registry `can` reads. */
  policy?: PolicyRules;
  /** Its areas of the navigation and the pages it adds to any area (its own, or Admin). */
  navigation?: { areas?: NavigationArea[]; pages: NavigationPage[] };
  /** Panels for the signed-in home page: each shows only to those its `permission` allows. */
  homePanels?: HomePanel[];
  /** Its panels on other capabilities' record pages (an organisation's): links to what it holds about that record. */
  recordPanels?: RecordPanel[];
  /** Its places on the public home page (the LIO's front door): 'Find help and services', 'Volunteer with us'. */
  frontDoor?: FrontDoorSection[];
  /** Its static files (scripts, stylesheets), served at /assets/ under an address with a hash of their content. */
  assets?: AssetFile[];
  /** Its HTTP routes: pages, forms and API. */
  routes?(app: FastifyInstance, deps: CapabilityDeps): Promise<void>;
  /** Its JSON API routes, added inside the token-authenticated /api/v1 context (paths relative to it). */
  api?(api: FastifyInstance, deps: CapabilityDeps): Promise<void>;
  /** Its background work: handlers and recurring jobs, registered before the worker starts. */
  jobs?(queue: JobQueue, deps: CapabilityDeps): void;
  /** Its CLI commands, such as `import oruk`. */
  commands?: CliCommand[];
  /** Prepares a new LIO (its default taxonomy, say), in the transaction that creates it. */
  setUpLio?(tx: Queryable, lio: { id: string }, now: Date): Promise<void>;
  /** Adds its part of the demo LIO, inside the one transaction that creates it; runs in list order. */
  seedDemo?(tx: Queryable, context: DemoSeedContext): Promise<void>;
  /** What it holds about a person, to export, erase and retain; required when any of its tables refers to a person. */
  personalData?: PersonalDataProvider;
}

/** What a capability's routes and jobs may use. No capability receives another capability's objects. */
/** A static file of a capability: `name` (find.js) is what templates pass to assetUrl; `path` is where it is on disk. */
export interface AssetFile {
  name: string;
  path: string;
}

export interface CapabilityDeps {
  config: Config;
  db: Database;
  clock: Clock;
  jobs: JobQueue;
  mailer: Mailer;
  /** Starts and ends signed-in sessions (for the accounts capability's sign-in). */
  sessions: Sessions;
  /** Every capability's personal-data provider (for the people capability's data rights: export, erasure, merge, retention). */
  personalData: readonly PersonalDataProvider[];
  /** Prepares a new LIO as every capability asks (for the accounts capability's adding of LIOs). */
  setUpLio: LioSetUp;
  /** Every capability's panels on record pages (for the page that shows that kind of record). */
  recordPanels: readonly RecordPanel[];
}

export type LioSetUp = (tx: Queryable, lio: { id: string }, now: Date) => Promise<void>;

/** Each capability's setUpLio in list order: what a new LIO needs before anyone uses it. */
export function lioSetUpOf(capabilities: readonly Capability[]): LioSetUp {
  return async (tx, lio, now) => {
    for (const capability of capabilities) await capability.setUpLio?.(tx, lio, now);
  };
}

/** One entry of the service navigation: 'Directory', 'Volunteering', 'Admin'. */
export interface NavigationArea {
  id: string;
  title: string;
  /** Lower comes first. Directory 10, Volunteering 20, Community response 30, Support for groups 40, Partnerships 50, Insight 60, Admin 90. */
  order: number;
}

/** One page in an area's side navigation; the area shows to a role that can use at least one of its pages. */
export interface NavigationPage {
  area: string;
  href: string;
  text: string;
  /** Absent: every signed-in person. */
  permission?: Permission;
  order?: number;
}

/** A home-page panel: what waits for this person in one part of the work, as counts that link to it. */
export interface HomePanel {
  id: string;
  area: string;
  /** Who sees it; absent: every signed-in person. */
  permission?: Permission;
  order?: number;
  /** Reads inside the signed-in person's tenant transaction; null when it has nothing to show this person. */
  load(context: HomePanelContext): Promise<HomePanelView | null>;
}

export interface HomePanelContext {
  tx: Queryable;
  actor: SignedInUser;
  lio: Lio;
  now: Date;
}

export interface HomePanelView {
  title: string;
  /** Work waiting, each a count that links to the list of it; a zero stays, so the person sees it is clear. */
  waiting?: { label: string; count: number; href: string }[];
  /** Figures of the period, for managers: 'Services added this month'. */
  figures?: { label: string; value: string; href?: string }[];
  /** Links to start something: 'Add an organisation'. */
  actions?: { text: string; href: string }[];
  /** A sentence for a panel that has no counts yet. */
  description?: string;
  /** Points that follow the description, one to a bullet: what a role will be able to do, say. */
  points?: string[];
}

/**
 * A place on the public home page, in words for residents and local groups. It may carry a search form (GET, so the
 * search it opens can be bookmarked and shared) and links; nothing on the front door needs signing in.
 */
export interface FrontDoorSection {
  id: string;
  title: string;
  /** Lower comes first. */
  order?: number;
  description: string;
  search?: {
    action: string;
    fields: { name: string; label: string; hint?: string; autocomplete?: string; width?: 'full' | 'postcode' }[];
    button: string;
  };
  links?: { text: string; href: string }[];
  /** Whether the section shows for this LIO now (surge mode's sign-up shows only while surge mode is on); absent: always. */
  shownFor?(tx: Queryable, lioId: string): Promise<boolean>;
}

export interface DemoSeedContext {
  lio: { id: string };
  now: Date;
  config: Config;
}

export interface CliContext {
  config: Config;
  /** Opens the database and applies migrations; the command closes it. */
  open(): Promise<Database>;
  /** Prepares a new LIO as every capability asks (see Capability.setUpLio). */
  setUpLio: LioSetUp;
  clock: Clock;
}

export interface CliCommand {
  /** One or two words: 'import oruk', 'backup'. */
  name: string;
  /** Shown under "Commands:", first line the call itself. */
  usage: string;
  run(args: string[], context: CliContext): Promise<number>;
}
