import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';

/**
 * The import-boundary rule of eslint.config.js, tried on code that breaks it and code that keeps it, as CI's
 * `npm run lint` would see it. Linted as text at a path inside the tree, so no file is written.
 */
const eslint = new ESLint();
async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('capability import boundaries', () => {
  it('refuses a capability reaching into another capability\'s files, at any depth', async () => {
    expect(await problems('src/directory/services/x.ts', "import { registerAccountRoutes } from '../../accounts/routes.js';\nexport const x = registerAccountRoutes;\n"))
      .toEqual([expect.stringContaining('only through its index.ts')]);
    expect(await problems('src/accounts/x.ts', "import { seedDirectory } from '../directory/seed.js';\nexport const x = seedDirectory;\n"))
      .toEqual([expect.stringContaining('only through its index.ts')]);
  });

  it('refuses a capability importing the composition root', async () => {
    expect(await problems('src/directory/organisations/x.ts', "import { buildApp } from '../../app.js';\nexport const x = buildApp;\n"))
      .toEqual([expect.stringContaining('composition root')]);
  });

  it('refuses platform importing any capability or web, and web importing a capability', async () => {
    expect(await problems('src/platform/x.ts', "import { directoryCapability } from '../directory/index.js';\nexport const x = directoryCapability;\n"))
      .toEqual([expect.stringContaining('platform/ imports no capability')]);
    expect(await problems('src/platform/http/x.ts', "import { Navigation } from '../../web/navigation.js';\nexport const x = Navigation;\n"))
      .toEqual([expect.stringContaining('platform/ imports no capability')]);
    expect(await problems('src/web/x.ts', "import { accountsCapability } from '../accounts/index.js';\nexport const x = accountsCapability;\n"))
      .toEqual([expect.stringContaining('web/ imports platform/ only')]);
  });

  it('lets a capability use platform, web, its own files and another capability\'s index', async () => {
    expect(await problems('src/directory/services/x.ts', [
      "import { can } from '../../platform/auth/policy.js';",
      "import { Navigation } from '../../web/navigation.js';",
      "import { PublishedCache } from '../published-cache.js';",
      "import { accountsCapability } from '../../accounts/index.js';",
      'export const x = [can, Navigation, PublishedCache, accountsCapability];',
    ].join('\n'))).toEqual([]);
  });
});
