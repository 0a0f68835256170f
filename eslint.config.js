import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/cdk.out/**', '.tools/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // fixtures and contract suites are for tests only: production code never imports them
    files: ['packages/drkit/src/**/*.ts'],
    ignores: ['**/*.test.ts', '**/*.contract.ts', 'packages/drkit/src/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/testing/*', '**/*.contract.js', 'vitest'],
              message: 'test-only module: production code must not import it',
            },
          ],
        },
      ],
    },
  },
);
