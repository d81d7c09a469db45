// `npm run lint`: typescript-eslint's recommended rules on the TypeScript, graphql-eslint on the committed
// schema and the operation documents, and prettier (run separately, `prettier --check`) for layout.
import js from '@eslint/js'
import graphqlPlugin from '@graphql-eslint/eslint-plugin'
import prettier from 'eslint-config-prettier'
import tseslint from 'typescript-eslint'

// graphql-eslint loads one graphql-config per process: the schema and the documents together.
const graphQLConfig = { schema: 'schema.graphql', documents: 'test/operations/**/*.graphql' }

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'src/generated/',
      'client/generated/',
      'client/src/generated/',
      '**/dist/',
      'coverage/',
      'test-artifacts/',
      '.data/',
    ],
  },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.js'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended, prettier],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  // Tests read JSON answers whose shape the assertions check.
  { files: ['test/**/*.ts', 'bench/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  {
    files: ['schema.graphql'],
    languageOptions: { parser: graphqlPlugin.parser, parserOptions: { graphQLConfig } },
    plugins: { '@graphql-eslint': graphqlPlugin },
    rules: {
      ...graphqlPlugin.configs['flat/schema-recommended'].rules,
      // Inputs, payloads, connections and edges are documented by the field that takes or returns them.
      '@graphql-eslint/require-description': [
        'error',
        { types: true, rootField: true, ignoredSelectors: ['[type=/Definition$/][name.value=/(Input|Payload|Connection|Edge)$/]'] },
      ],
      // Entities are Relay nodes (id: ID!); events, payloads, connections and value objects are not entities.
      '@graphql-eslint/strict-id-in-types': [
        'error',
        {
          exceptions: {
            suffixes: ['Event', 'Payload', 'Connection', 'Edge', 'Counts', 'Settings', 'Preferences', 'Signal'],
            types: ['ConversationGroup', 'GroupMember', 'MessageRevision', 'PageInfo', 'Participant', 'Viewer'],
          },
        },
      ],
    },
  },
  {
    files: ['test/operations/**/*.graphql'],
    languageOptions: { parser: graphqlPlugin.parser, parserOptions: { graphQLConfig } },
    plugins: { '@graphql-eslint': graphqlPlugin },
    rules: {
      ...graphqlPlugin.configs['flat/operations-recommended'].rules,
      // Test documents select what each test asserts; no normalized cache reads them.
      '@graphql-eslint/require-selections': 'off',
    },
  },
)
