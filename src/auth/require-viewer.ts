// "No viewer, no execution": @envelop/generic-auth in protect-all mode, checked only where it can refuse.
//
// protect-all checks every selected field with validateUser, in a validation pass over the whole
// document (TypeInfo, variables, paths) before each execution and subscription. Ours refuses a field
// only when there is no viewer, so with a viewer the pass can find nothing, yet it cost about a tenth of
// the server's time per send. The plugin below is generic-auth itself, with that pass skipped when the
// context has a viewer; an operation without one is checked exactly as before.
import type { Plugin } from 'graphql-yoga'
import { useGenericAuth } from '@envelop/generic-auth'
import type { Viewer } from './viewer.js'

type GenericAuthOptions<C> = Parameters<typeof useGenericAuth<Viewer, C & { viewer?: Viewer | null }, 'viewer'>>[0]

export function useRequireViewer<C extends object>(
  options: Omit<Extract<GenericAuthOptions<C>, { mode: 'protect-all' }>, 'mode' | 'contextFieldName'>,
): Plugin {
  const auth = useGenericAuth<Viewer, C & { viewer?: Viewer | null }, 'viewer'>({
    ...options,
    mode: 'protect-all',
    contextFieldName: 'viewer',
  } as GenericAuthOptions<C>) as Plugin
  return {
    ...auth,
    // generic-auth adds its check as a plugin of its own (@envelop/extended-validation): add it guarded.
    onPluginInit(payload) {
      auth.onPluginInit?.({ ...payload, addPlugin: (added) => payload.addPlugin(withoutViewerOnly(added as Plugin)) })
    },
  }
}

const hasViewer = (args: { contextValue: unknown }) => (args.contextValue as { viewer?: unknown } | undefined)?.viewer != null

function withoutViewerOnly(plugin: Plugin): Plugin {
  const { onExecute, onSubscribe } = plugin
  return {
    ...plugin,
    ...(onExecute && { onExecute: (payload) => (hasViewer(payload.args) ? undefined : onExecute(payload)) }),
    ...(onSubscribe && { onSubscribe: (payload) => (hasViewer(payload.args) ? undefined : onSubscribe(payload)) }),
  }
}
