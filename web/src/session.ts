// Who is signed in: the demo stand-in for the host platform's sign-in (see web/demo-session.ts). The SDK
// calls getToken for every request and every socket; forceRefresh after the server refused a token.
import { createSwitchboardClient, type SwitchboardClient } from '@switchboard/client'

export type Person = 'alice' | 'bob' | 'olivia' | 'oscar'
export const PEOPLE: Array<{ id: Person; label: string; view: 'customer' | 'operator' }> = [
  { id: 'alice', label: 'Alice — customer', view: 'customer' },
  { id: 'bob', label: 'Bob — customer', view: 'customer' },
  { id: 'olivia', label: 'Olivia — support operator', view: 'operator' },
  { id: 'oscar', label: 'Oscar — support operator', view: 'operator' },
]

export interface Session {
  token: string
  expiresAt: number
  person: Person
  role: string
  name: string
  supportGroupId: string
}

export async function fetchSession(person: Person): Promise<Session> {
  const response = await fetch(`/demo/session?as=${encodeURIComponent(person)}`, { cache: 'no-store' })
  const body = (await response.json()) as Session & { error?: string }
  if (!response.ok) throw new Error(body.error ?? `HTTP ${response.status}`)
  return body
}

export function clientFor(first: Session): SwitchboardClient {
  let session = first
  return createSwitchboardClient({
    url: new URL('/graphql', location.href).toString(),
    // Pending sends survive a reload of the page.
    storage: window.localStorage,
    async getToken({ forceRefresh }) {
      if (forceRefresh || session.expiresAt - Date.now() < 60_000) session = await fetchSession(session.person)
      return session.token
    },
  })
}
