// Pick a demo person (?as=alice), sign in through /demo/session, and show the customer widget or the
// operator console. Open two windows (one customer, one operator) to talk to yourself.
import { useEffect, useState } from 'react'
import type { SwitchboardClient } from '@switchboard/client'
import { SwitchboardProvider, useConnectionState } from '@switchboard/client/react'
import { clientFor, fetchSession, PEOPLE, type Person, type Session } from './session.js'
import { CustomerWidget } from './CustomerWidget.js'
import { OperatorConsole } from './OperatorConsole.js'
import { Notifications } from './Notifications.js'

export function App() {
  const person = new URLSearchParams(location.search).get('as') as Person | null
  const chosen = PEOPLE.find((p) => p.id === person)
  if (!chosen) return <Chooser />
  return <SignedIn person={chosen.id} view={chosen.view} />
}

function Chooser() {
  return (
    <main className="chooser">
      <h1>Switchboard reference app</h1>
      <p>Sign in as a demo person (open two windows: a customer and an operator).</p>
      <ul>
        {PEOPLE.map((p) => (
          <li key={p.id}>
            <a href={`?as=${p.id}`}>{p.label}</a>
          </li>
        ))}
      </ul>
    </main>
  )
}

function SignedIn({ person, view }: { person: Person; view: 'customer' | 'operator' }) {
  const [state, setState] = useState<{ session: Session; client: SwitchboardClient } | { error: string } | null>(null)
  useEffect(() => {
    let client: SwitchboardClient | null = null
    let cancelled = false
    fetchSession(person).then(
      (session) => {
        if (cancelled) return
        client = clientFor(session)
        setState({ session, client })
      },
      (e: Error) => !cancelled && setState({ error: e.message }),
    )
    return () => {
      cancelled = true
      client?.close()
    }
  }, [person])

  if (!state) return <p role="status">Signing in…</p>
  if ('error' in state) return <p role="alert">Cannot sign in: {state.error}</p>
  return (
    <SwitchboardProvider client={state.client}>
      <header className="topbar">
        <strong>Switchboard</strong>
        <span>Signed in as {state.session.name}</span>
        <ConnectionBadge />
        <Notifications />
        <a href="?">Switch person</a>
      </header>
      {view === 'customer' ? <CustomerWidget session={state.session} /> : <OperatorConsole session={state.session} />}
    </SwitchboardProvider>
  )
}

function ConnectionBadge() {
  const state = useConnectionState()
  const label = {
    idle: 'Idle',
    connecting: 'Connecting…',
    connected: 'Live',
    reconnecting: 'Offline — messages will be sent when back',
    closed: 'Closed',
  }
  return (
    <span className={`connection ${state.status}`} data-testid="connection" data-status={state.status} role="status">
      {label[state.status]}
    </span>
  )
}
