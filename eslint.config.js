import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', '.data/**', 'web/dist/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        Buffer: 'readonly',
        window: 'readonly',
        document: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Only shared/store talks to DynamoDB (docs/data-model.md): one module per entity, one
    // named function per access pattern. Elsewhere even the client's type comes through
    // shared/store/client.ts.
    files: ['**/*.{ts,tsx,js,mjs}'],
    ignores: [
      'shared/store/**',
      // Builds the DynamoDB client every function is given.
      'shared/aws/clients.ts',
      // The local runtime creates the table on DynamoDB Local and builds its clients.
      'infra/local/**',
      // The smoke check builds its own client against the deployment's table.
      'scripts/**',
      // Fixtures and assertions inspect and plant raw items (and mock the client).
      'test/**',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@aws-sdk/client-dynamodb',
              message:
                'Only shared/store talks to DynamoDB: add a named function to the entity’s store module.',
              allowTypeImports: false,
            },
            {
              name: '@aws-sdk/lib-dynamodb',
              message:
                'Only shared/store talks to DynamoDB: add a named function to the entity’s store module.',
              allowTypeImports: false,
            },
          ],
        },
      ],
    },
  },
  {
    // The PWA's service worker runs in the browser's worker scope.
    files: ['web/public/sw.js'],
    languageOptions: { globals: { self: 'readonly' } },
  },
);
