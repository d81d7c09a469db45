// Fan-out executed once per event and group of identical subscribers, serialized once.
//
// A subscription's source stream (the field's subscribe resolver) hands every subscriber of one
// conversation on this node the SAME item object (src/timeline/hub.ts ring items, broker payloads).
// Instead of executing the subscription's selection for every subscriber, each item is executed once
// per "group key" — same document, same variables (except the root field's own arguments, which select
// the stream and do not shape an event), same tenant and role, and the same user when the selection
// reads a viewer-dependent field — and the result object is shared. The WebSocket and SSE writers then
// serialize a shared result once (serializeResult) and write the same text to every socket.
//
// A field whose value depends on who asks beyond their role (unread counts, viewerCan*, …) must be
// tagged `extensions: { viewerDependent: true }` (fields named viewer* are treated as such anyway).
import {
  createSourceEventStream,
  execute,
  getOperationAST,
  print,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql'
import type { Plugin } from 'graphql-yoga'
import type { Context } from '../context.js'
import type { Metrics } from '../server/metrics.js'

interface DocumentInfo {
  text: string
  /** The subscription's root field (its name, not an alias): the `source` label of delivery metrics. */
  field: string
  viewerDependent: boolean
  /** Variables used only by the root field's arguments. */
  rootOnlyVariables: ReadonlySet<string>
}

const DOCUMENT_CACHE_MAX = 1000
const documentCache = new Map<string, DocumentInfo>()
const memo = new WeakMap<object, Map<string, Promise<ExecutionResult>>>()
const serialized = new WeakMap<object, string>()
const deliveries = new WeakMap<object, Delivery>()

/** What the writers (WebSocket, SSE) count when they write a shared result: see deliveryOf. */
export interface Delivery {
  source: string
  /** When the event committed (ms since epoch, database clock), for live timeline events only. */
  committedAt?: number
}
function documentInfo(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined): DocumentInfo {
  const text = print(document)
  const cacheKey = `${operationName ?? ''}\n${text}`
  const cached = documentCache.get(cacheKey)
  if (cached) return cached
  const operation = getOperationAST(document, operationName)
  const rootVariables = new Set<string>()
  const otherVariables = new Set<string>()
  const rootArguments = new Set(operation?.selectionSet.selections.flatMap((s) => (s.kind === 'Field' ? (s.arguments ?? []) : [])) ?? [])
  let viewerDependent = false
  const typeInfo = new TypeInfo(schema)
  let insideRootArgument = 0
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Argument: {
        enter: (node) => void (rootArguments.has(node) && insideRootArgument++),
        leave: (node) => void (rootArguments.has(node) && insideRootArgument--),
      },
      Variable: (node, _key, parent) => {
        if ((parent as { kind?: string })?.kind === 'VariableDefinition') return
        ;(insideRootArgument ? rootVariables : otherVariables).add(node.name.value)
      },
      Field: (node) => {
        const def = typeInfo.getFieldDef()
        if (node.name.value.startsWith('viewer') || def?.extensions?.['viewerDependent']) viewerDependent = true
      },
    }),
  )
  const root = operation?.selectionSet.selections[0]
  const field = root?.kind === 'Field' ? root.name.value : 'unknown'
  const info = { text, field, viewerDependent, rootOnlyVariables: new Set([...rootVariables].filter((v) => !otherVariables.has(v))) }
  if (documentCache.size >= DOCUMENT_CACHE_MAX) documentCache.delete(documentCache.keys().next().value!)
  documentCache.set(cacheKey, info)
  return info
}

/** Subscribers with the same key receive byte-identical results for the same item. */
export function groupKey(args: ExecutionArgs): string {
  const info = documentInfo(args.schema, args.document, args.operationName)
  const variables = Object.entries(args.variableValues ?? {})
    .filter(([name]) => !info.rootOnlyVariables.has(name))
    .sort(([a], [b]) => (a < b ? -1 : 1))
  const viewer = (args.contextValue as Context).viewer
  return JSON.stringify([
    info.text,
    args.operationName ?? null,
    variables,
    viewer?.tenantId ?? null,
    viewer?.role ?? null,
    info.viewerDependent ? (viewer?.userId ?? null) : null,
  ])
}

/** The result of executing `args` for `item`, shared by every subscriber with the same group key. */
function sharedResult(item: unknown, key: string, args: ExecutionArgs, metrics: Metrics): Promise<ExecutionResult> | ExecutionResult {
  if (typeof item !== 'object' || item === null) return execute({ ...args, rootValue: item }) as ExecutionResult
  let byKey = memo.get(item)
  if (!byKey) memo.set(item, (byKey = new Map()))
  let result = byKey.get(key)
  if (!result) {
    metrics.fanoutExecutions.inc()
    const eventId = (item as { eventId?: unknown }).eventId
    const delivery: Delivery = {
      source: documentInfo(args.schema, args.document, args.operationName).field,
      committedAt: (item as { committedAt?: number }).committedAt,
    }
    result = Promise.resolve(execute({ ...args, rootValue: item })).then((r) => {
      const shared = typeof eventId === 'number' ? { ...r, extensions: { ...r.extensions, eventId } } : r
      deliveries.set(shared, delivery)
      return shared
    })
    byKey.set(key, result)
  }
  return result
}

/** A subscription result from the shared execution (what to count when it is written), else undefined. */
export function deliveryOf(result: object): Delivery | undefined {
  return deliveries.get(result)
}

/** JSON text of a result, computed once per result object (shared results are written to many sockets). */
export function serializeResult(result: object): string {
  let text = serialized.get(result)
  if (text === undefined) {
    text = JSON.stringify(result)
    serialized.set(result, text)
  }
  return text
}

/** Replaces graphql-js's per-subscriber mapping of source events with the shared execution above. */
export function useSharedExecution(metrics: Metrics): Plugin {
  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(async (args: ExecutionArgs) => {
        const source = await createSourceEventStream(args)
        if (!(Symbol.asyncIterator in source)) return source as ExecutionResult
        const key = groupKey(args)
        return mapSource(source as AsyncIterable<unknown>, (item) => sharedResult(item, key, args, metrics))
      })
    },
  }
}

/** Maps a source stream, forwarding return() so closing a subscription releases the source at once. */
function mapSource<T, U>(source: AsyncIterable<T>, map: (value: T) => Promise<U> | U): AsyncIterableIterator<U> {
  const it = source[Symbol.asyncIterator]()
  return {
    [Symbol.asyncIterator]() {
      return this
    },
    async next() {
      const r = await it.next()
      return r.done ? { done: true, value: undefined } : { done: false, value: await map(r.value) }
    },
    async return() {
      await it.return?.()
      return { done: true, value: undefined }
    },
    async throw(error?: unknown) {
      await it.return?.()
      throw error
    },
  }
}
