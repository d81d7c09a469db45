// One cost model for every transport (HTTP, SSE, WebSocket, REST): the number of list items an operation
// may ask for. Each field with a `first`/`last` argument asks for that many items per parent item, so
// conversations(first: 100) { messages(first: 200) } asks for 100 + 100 × 200 = 20,100. Over
// MAX_LIST_NODES the operation is refused (BAD_USER_INPUT) before anything runs. It matters most for
// REST (SOFA), whose generated selections nest connections and take their sizes from query parameters.
import { Kind, getOperationAST, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode, type ValueNode } from 'graphql'
import type { Plugin } from 'graphql-yoga'
import { badInput } from '../errors.js'

export function requestedListNodes(
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
): number {
  const operation = getOperationAST(document, operationName)
  if (!operation) return 0
  const fragments = new Map<string, FragmentDefinitionNode>()
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d)
  const size = (value: ValueNode | undefined): number | undefined => {
    if (!value) return undefined
    if (value.kind === Kind.INT) return Number(value.value)
    if (value.kind === Kind.VARIABLE) {
      const v = variables?.[value.name.value]
      return typeof v === 'number' ? v : undefined
    }
    return undefined
  }
  const walk = (set: SelectionSetNode, multiplier: number, seen: Set<string>): number => {
    let total = 0
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const arg = (name: string) => selection.arguments?.find((a) => a.name.value === name)?.value
        const page = size(arg('first')) ?? size(arg('last'))
        const items = page === undefined ? multiplier : multiplier * Math.max(0, page)
        if (page !== undefined) total += items
        if (selection.selectionSet) total += walk(selection.selectionSet, items, seen)
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        total += walk(selection.selectionSet, multiplier, seen)
      } else {
        const fragment = fragments.get(selection.name.value)
        if (fragment && !seen.has(fragment.name.value))
          total += walk(fragment.selectionSet, multiplier, new Set([...seen, fragment.name.value]))
      }
      if (total > Number.MAX_SAFE_INTEGER / 2) return total
    }
    return total
  }
  return walk(operation.selectionSet, 1, new Set())
}

export function useListSizeLimit(maxNodes: number): Plugin {
  const check = (args: { document: DocumentNode; operationName?: string | null; variableValues?: Record<string, unknown> | null }) => {
    const nodes = requestedListNodes(args.document, args.operationName, args.variableValues)
    return nodes > maxNodes
      ? badInput(`The operation asks for ${nodes} list items; at most ${maxNodes} are served per operation (lower first/last)`)
      : undefined
  }
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const error = check(args)
      if (error) setResultAndStopExecution({ errors: [error] })
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = check(args)
      if (error) setResultAndStopExecution({ errors: [error] } as never)
    },
  }
}
