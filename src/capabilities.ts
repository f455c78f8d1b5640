import type { Capability } from './platform/capability.js';
import { directoryCapability, type DirectoryOptions } from './directory/index.js';
import { accountsCapability } from './accounts/index.js';
import { adminCapability } from './admin/index.js';
import { peopleCapability } from './people/index.js';

export interface CapabilityOptions {
  directory?: DirectoryOptions;
}

/**
 * Every capability of the app, in the order their demo seeds run (the directory's organisations come before the
 * accounts that keep their listings). The one list buildApp, the CLI and the demo seed read.
 */
export function capabilities(options: CapabilityOptions = {}): Capability[] {
  return [
    directoryCapability(options.directory),
    accountsCapability,
    peopleCapability,
    adminCapability,
  ];
}
