import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Capability boundaries (docs/architecture.md): a capability imports platform/, web/, its own files and other
 * capabilities' index.ts only; platform/ imports nothing outside itself; web/ only platform/; no capability imports
 * the composition root (app.ts, main.ts, capabilities.ts, seed/). Imports are relative, so each rule is written
 * for the depth of the importing file: from src/<capability>/a/b.ts, '../../' is src/.
 */
const SHARED = ['platform', 'web'];
const ROOT_FILES = '(app|main|capabilities)\\.js$|seed/';
const folders = readdirSync(new URL('./src', import.meta.url), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
const capabilities = folders.filter((f) => !SHARED.includes(f) && f !== 'seed');
const MAX_DEPTH = 6;
const up = (depth) => `^(\\.\\./){${depth}}`;
const filesAt = (folder, depth) => [`src/${folder}/${'*/'.repeat(depth - 1)}*.ts`];

function restrict(folder, depth, patterns) {
  return { files: filesAt(folder, depth), rules: { 'no-restricted-imports': ['error', { patterns }] } };
}

const boundaries = [];
for (let depth = 1; depth <= MAX_DEPTH; depth++) {
  for (const capability of capabilities) {
    boundaries.push(restrict(capability, depth, [
      { regex: `${up(depth)}(?!platform/|web/|${capability}/)[\\w-]+/(?!index\\.js$)`, message: 'A capability may use another capability only through its index.ts.' },
      { regex: `${up(depth)}(${ROOT_FILES})`, message: 'A capability may not import the composition root: take what it needs through Capability and CapabilityDeps.' },
    ]));
  }
  boundaries.push(restrict('platform', depth, [
    { regex: `${up(depth)}(?!platform/)`, message: 'platform/ imports no capability, no web/ and not the composition root.' },
  ]));
  boundaries.push(restrict('web', depth, [
    { regex: `${up(depth)}(?!platform/|web/)`, message: 'web/ imports platform/ only: capabilities reach it through the Capability interface.' },
  ]));
}

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'dist/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly', URLSearchParams: 'readonly', Buffer: 'readonly', document: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...boundaries,
);
