// Typed client artefacts from schema.graphql and the operation documents in test/operations:
//  - client/generated/: client-preset typed documents (TypedDocumentNode), usable with any client,
//    including Apollo Client 4 and urql 5 hooks;
//  - client/generated/hooks.ts: typed urql React hooks (useViewerQuery, useSendMessageMutation, …).
// Generated output is git-ignored; `npm run generate` (and `npm test`) rebuild it.
import type { CodegenConfig } from '@graphql-codegen/cli'

const scalars = { DateTime: 'string', ID: 'string', JSON: 'unknown' }

const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['test/operations/**/*.graphql'],
  ignoreNoDocuments: false,
  silent: true,
  generates: {
    'client/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: { scalars, useTypeImports: true, enumsAsTypes: true, documentMode: 'documentNode', importExtension: '.js' },
    },
    'client/generated/hooks.ts': {
      plugins: ['typescript-operations', 'typescript-urql'],
      config: { scalars, useTypeImports: true, enumsAsTypes: true, withHooks: true, gqlImport: 'graphql-tag#gql' },
    },
  },
}

export default config
