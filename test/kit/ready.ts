// Waiting for a state instead of a time: one polling helper, and a server's live subscriptions read from
// its /metrics gauge (switchboard_active_subscriptions{field}), so a test knows its stream is live before
// it acts.

/** Polls `check` until it is true (a state, e.g. "the receiver got 3 requests"), or fails after timeoutMs. */
export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

/** Resolves once `baseUrl` has at least `atLeast` live subscriptions of `field`. */
export function liveSubscriptions(baseUrl: string, field: string, atLeast: number, timeoutMs = 10_000): Promise<void> {
  return waitUntil(
    async () => (await activeSubscriptions(baseUrl, field)) >= atLeast,
    `${atLeast} live ${field} subscriptions on ${baseUrl}`,
    timeoutMs,
  )
}

export async function activeSubscriptions(baseUrl: string, field: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text()
  return Number(new RegExp(`^switchboard_active_subscriptions\\{field="${field}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0)
}
