// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The design's import table (README "Layout"): each folder may import only the folders named here.
// Each entry forbids the others; a leak is a lint error.
const OUR_FOLDERS = ['domain', 'lib', 'app', 'projections', 'adapters', 'api', 'simulator', 'main'];
const MAY_IMPORT = {
  domain: ['domain', 'lib'],
  lib: ['lib'],
  app: ['app', 'domain', 'lib'],
  projections: ['projections', 'app', 'domain', 'lib'],
  adapters: ['adapters', 'app', 'domain', 'lib'],
  api: ['api', 'app', 'projections', 'domain', 'lib'],
  simulator: ['simulator', 'lib'],
};
const layerRules = Object.entries(MAY_IMPORT).map(([folder, allowed]) => ({
  files: [`src/${folder}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: OUR_FOLDERS.filter((f) => !allowed.includes(f)).map((forbidden) => ({
          group: [`**/${forbidden}`, `**/${forbidden}/**`, `!./**`],
          message: `src/${folder}/ may import only ${allowed.map((a) => `src/${a}/`).join(', ')} (README, Layout).`,
        })),
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      // chai's property assertions (expect(x).to.be.true) read as unused expressions
      '@typescript-eslint/no-unused-expressions': 'off',
      // port methods are async by contract even where an implementation (SQLite) answers synchronously
      '@typescript-eslint/require-await': 'off',
      // a caught error is `unknown`; passing it on unchanged is right
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
    },
  },
  ...layerRules,
  {
    files: ['**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // CommonJS configuration files (.mocharc.cjs) run in Node
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', process: 'readonly', require: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
