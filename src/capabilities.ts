import type { Capability } from './platform/capability.js';
import { directoryCapability, type DirectoryOptions } from './directory/index.js';
import { accountsCapability } from './accounts/index.js';
import { adminCapability } from './admin/index.js';
import { peopleCapability } from './people/index.js';
import { volunteeringCapability } from './volunteering/index.js';
import { supportCapability } from './support/index.js';

export interface CapabilityOptions {
  directory?: DirectoryOptions;
}

/**
 * Every capability of the app, in the order their demo seeds run (the directory's organisations come before the
 * accounts that keep their listings; people and accounts before the volunteers who are people; the register before the groups support works with). The one list buildApp, the CLI and the demo seed read.
 */
export function capabilities(options: CapabilityOptions = {}): Capability[] {
  return [
    directoryCapability(options.directory),
    accountsCapability,
    peopleCapability,
    volunteeringCapability,
    supportCapability,
    adminCapability,
  ];
}
