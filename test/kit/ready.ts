// Waiting for a state instead of a time: a server's live subscriptions, read from its /metrics gauge
// (switchboard_active_subscriptions{field}), so a test knows its stream is live before it acts.
export async function liveSubscriptions(baseUrl: string, field: string, atLeast: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const text = await (await fetch(`${baseUrl}/metrics`)).text()
    const match = new RegExp(`^switchboard_active_subscriptions\\{field="${field}"\\} (\\d+)`, 'm').exec(text)
    if (Number(match?.[1] ?? 0) >= atLeast) return
    if (Date.now() > deadline) throw new Error(`${atLeast} live ${field} subscriptions never showed up on ${baseUrl}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

export async function activeSubscriptions(baseUrl: string, field: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text()
  return Number(new RegExp(`^switchboard_active_subscriptions\\{field="${field}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0)
}
