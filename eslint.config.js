// Lint: ESLint's and typescript-eslint's recommended rules. Part of `npm test` (npm run lint).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const browser = Object.fromEntries(
  ['document', 'window', 'setTimeout', 'clearTimeout', 'fetch', 'URLSearchParams', 'URL', 'console', 'microsoftTeams'].map((name) => [name, 'readonly']),
);
const node = Object.fromEntries(['process', 'console', 'URL', 'Buffer', 'setTimeout'].map((name) => [name, 'readonly']));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  // The tab's pages run in the browser inside Teams.
  { files: ['bot/tab/public/**/*.js'], languageOptions: { globals: browser } },
  { files: ['**/*.mjs', 'eslint.config.js'], languageOptions: { globals: node } },
  // Tests read JSON the bot sends back; typing every card in them would only repeat the card builders.
  { files: ['test/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
);
