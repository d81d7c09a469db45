// The package's typed documents: client/src/operations/*.graphql against the server's schema.graphql,
// into client/src/generated/ (committed, so `npm pack` needs no codegen; test/client-pack.test.ts checks
// they are current). SWITCHBOARD_CLIENT_CODEGEN_OUT writes them elsewhere (the drift check does).
import type { CodegenConfig } from '@graphql-codegen/cli'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const out = process.env.SWITCHBOARD_CLIENT_CODEGEN_OUT ?? path.join(here, 'src/generated')

const config: CodegenConfig = {
  schema: path.join(here, '../schema.graphql'),
  documents: [path.join(here, 'src/operations/**/*.graphql')],
  ignoreNoDocuments: false,
  silent: true,
  generates: {
    [`${out}/`]: {
      preset: 'client',
      presetConfig: { fragmentMasking: false, gqlTagName: 'graphql' },
      config: {
        scalars: { DateTime: 'string', ID: 'string', JSON: 'unknown' },
        useTypeImports: true,
        enumsAsTypes: true,
        documentMode: 'string',
        importExtension: '.js',
      },
    },
  },
}

export default config
