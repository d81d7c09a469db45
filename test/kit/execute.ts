// execute(): sends a typed document over real HTTP as a given token and returns typed data plus helpers.
import { print } from 'graphql'
import type { TypedDocumentNode } from '@graphql-typed-document-node/core'
import { expect } from 'vitest'

export interface GraphQLErrorShape {
  message: string
  path?: (string | number)[]
  extensions?: { code?: string; [key: string]: unknown }
}

export interface ExecuteResult<TData> {
  status: number
  data: TData | null | undefined
  errors: GraphQLErrorShape[] | undefined
  /** Asserts there are no errors and returns the data. */
  expectData(): TData
  /** Asserts the first error has `code` and returns it. */
  expectError(code: string): GraphQLErrorShape
}

export interface ExecuteOptions<TData, TVariables> {
  document: TypedDocumentNode<TData, TVariables>
  variables?: TVariables
  token?: string
  headers?: Record<string, string>
}

export async function execute<TData, TVariables>(
  graphqlUrl: string,
  options: ExecuteOptions<TData, TVariables>,
): Promise<ExecuteResult<TData>> {
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(options.token && { authorization: `Bearer ${options.token}` }),
      ...options.headers,
    },
    body: JSON.stringify({ query: print(options.document), variables: options.variables ?? {} }),
  })
  const json = (await response.json()) as { data?: TData | null; errors?: GraphQLErrorShape[] }
  return {
    status: response.status,
    data: json.data,
    errors: json.errors,
    expectData() {
      expect(json.errors, JSON.stringify(json.errors)).toBeUndefined()
      return json.data as TData
    },
    expectError(code) {
      expect(json.errors?.[0]?.extensions?.code, JSON.stringify(json)).toBe(code)
      return json.errors![0]!
    },
  }
}

/** execute() bound to one server. */
export function client(graphqlUrl: string) {
  return <TData, TVariables>(options: ExecuteOptions<TData, TVariables>) => execute(graphqlUrl, options)
}
