// Outbox depth and the age of its oldest runnable job, read from graphile-worker's jobs view when
// /metrics is scraped.
import { Gauge, type Registry } from 'prom-client'

export function registerOutboxGauges(registry: Registry, stats: () => Promise<{ depth: number; oldestAgeSeconds: number }>) {
  let pending: Promise<{ depth: number; oldestAgeSeconds: number }> | undefined
  // One query per scrape for both gauges.
  const read = () => (pending ??= stats().finally(() => setTimeout(() => (pending = undefined), 0)))
  new Gauge({
    name: 'switchboard_outbox_depth',
    help: 'Jobs waiting in the outbox (graphile-worker), including scheduled retries',
    registers: [registry],
    async collect() {
      this.set((await read().catch(() => ({ depth: -1 }))).depth)
    },
  })
  new Gauge({
    name: 'switchboard_outbox_oldest_age_seconds',
    help: 'Age of the oldest runnable, unlocked outbox job',
    registers: [registry],
    async collect() {
      this.set((await read().catch(() => ({ oldestAgeSeconds: -1 }))).oldestAgeSeconds)
    },
  })
}
