// The Grafana dashboard (ops/grafana/switchboard.json) and the Prometheus alert rules
// (ops/prometheus/alerts.yml) only name metrics a real server exports: every metric in their PromQL is
// looked up in a running server's /metrics (its `# TYPE` lines; prom-client lists them even before a
// labelled metric has a sample). A renamed metric fails here instead of leaving a blank panel or an alert
// that can never fire.
import { readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from './kit/app.js'
import { client } from './kit/execute.js'
import { tenantWorld } from './kit/world.js'
import { CreateConversationDocument, SendMessageDocument } from '../client/generated/graphql.js'

interface Panel {
  type: string
  title: string
  gridPos: { h: number; w: number; x: number; y: number }
  targets?: Array<{ expr: string; refId: string }>
  panels?: Panel[]
}
interface Rule {
  alert: string
  expr: string
  for?: string
  labels: Record<string, string>
  annotations: Record<string, string>
}

const dashboard = JSON.parse(readFileSync(new URL('../ops/grafana/switchboard.json', import.meta.url), 'utf8')) as {
  title: string
  uid: string
  panels: Panel[]
}
const alerts = parseYaml(readFileSync(new URL('../ops/prometheus/alerts.yml', import.meta.url), 'utf8')) as {
  groups: Array<{ name: string; rules: Rule[] }>
}

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'offset',
  'bool',
  'inf',
  'nan',
])

/** The metric names a PromQL expression reads (not functions, keywords, label names, durations or strings). */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""') // strings
    .replace(/\{[^}]*\}/g, '') // label matchers
    .replace(/\[[^\]]*\]/g, '') // ranges, including Grafana's $__rate_interval
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ') // label lists
    .replace(/\boffset\s+\S+/g, ' ')
  const names = new Set<string>()
  for (const m of bare.matchAll(/(?<![\w:$.])([a-zA-Z_:][\w:]*)(?![\w:]|\s*\()/g)) if (!KEYWORDS.has(m[1]!.toLowerCase())) names.add(m[1]!)
  return [...names]
}

/** `name` is exported: a metric of its own, or a histogram's (summary's) _bucket, _sum or _count series. */
function exported(types: Map<string, string>, name: string): boolean {
  if (types.has(name)) return true
  const m = /^(.*)_(bucket|sum|count)$/.exec(name)
  if (!m) return false
  const type = types.get(m[1]!)
  return type === 'histogram' || (type === 'summary' && m[2] !== 'bucket')
}

const panelsOf = (panels: Panel[]): Panel[] => panels.flatMap((p) => [p, ...panelsOf(p.panels ?? [])])
const expressions = [
  ...panelsOf(dashboard.panels).flatMap((p) => (p.targets ?? []).map((t) => ({ where: `panel "${p.title}"`, expr: t.expr }))),
  ...alerts.groups.flatMap((g) => g.rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr }))),
]

describe('metricNames', () => {
  it('finds the metrics of an expression, not its functions, label names, strings or ranges', () => {
    expect(
      metricNames(
        'histogram_quantile(0.99, sum by (le, transport) (rate(switchboard_delivery_latency_seconds_bucket{transport="websocket"}[$__rate_interval])))',
      ),
    ).toEqual(['switchboard_delivery_latency_seconds_bucket'])
    expect(metricNames('sum(increase(a_total[30m])) == 0 and sum(increase(a_total[30m] offset 1d)) > 100')).toEqual(['a_total'])
    expect(
      metricNames('sum by (tenant) (rate(x_total[1h])) / on (tenant) group_left sum by (tenant) (rate(y_total{code=~"A|B"}[1h])) < 0.5'),
    ).toEqual(['x_total', 'y_total'])
    expect(metricNames('1000 * max(switchboard_outbox_depth)')).toEqual(['switchboard_outbox_depth'])
  })
})

describe('the Grafana dashboard and the alert rules', () => {
  let t: TestApp
  let types: Map<string, string>
  beforeAll(async () => {
    t = await startTestApp()
    // A send, so every lazily labelled metric has been touched at least once.
    const run = client(t.graphqlUrl)
    const w = tenantWorld(t.graphqlUrl)
    const [op] = await Promise.all([w.user('op', 'operator'), w.user('m1')])
    const { createConversation } = (
      await run({
        document: CreateConversationDocument,
        token: op.token,
        variables: { input: { kind: 'GROUP', participantExternalIds: ['m1'] } },
      })
    ).expectData()
    ;(
      await run({
        document: SendMessageDocument,
        token: op.token,
        variables: { input: { conversationId: createConversation.conversation.id, body: 'hi', clientMessageId: 'hi' } },
      })
    ).expectData()
    const text = await (await fetch(`${t.url}/metrics`)).text()
    types = new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]))
  })
  afterAll(() => t?.stop())

  it('the dashboard is a Grafana dashboard: panels with a type, a title, a place and PromQL targets', () => {
    expect(dashboard).toMatchObject({ title: 'Switchboard', uid: 'switchboard' })
    const panels = panelsOf(dashboard.panels)
    expect(panels.length).toBeGreaterThan(10)
    for (const panel of panels)
      for (const key of ['h', 'w', 'x', 'y'] as const) expect(typeof panel.gridPos?.[key], panel.title).toBe('number')
    for (const panel of panels.filter((p) => p.type !== 'row')) {
      expect(panel.title).toBeTruthy()
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0)
      for (const target of panel.targets!) expect(target.expr.trim(), panel.title).not.toBe('')
      expect(new Set(panel.targets!.map((target) => target.refId)).size, panel.title).toBe(panel.targets!.length)
    }
    // The panels the runbook refers to.
    const titles = panels.map((p) => p.title).join('\n')
    for (const wanted of [
      /Messages sent/,
      /Send refusals/,
      /success ratio/,
      /Commit → socket latency/,
      /subscriptions/,
      /WebSockets/,
      /Slow consumers/,
      /Outbox/,
      /Webhook/,
      /HTTP requests/,
      /latency/,
      /Errors/,
      /SQL statement duration/,
    ])
      expect(titles).toMatch(wanted)
  })

  it('the alert rules are Prometheus rule groups: a name, an expression, a severity and a summary each', () => {
    const rules = alerts.groups.flatMap((g) => g.rules)
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining([
        'SwitchboardDeliverySuccessRatioLow',
        'SwitchboardDeliveryLatencyHigh',
        'SwitchboardSlowConsumers',
        'SwitchboardOutboxBacklog',
        'SwitchboardWebhookDeadLetters',
        'SwitchboardHttpErrorRate',
        'SwitchboardNoMessagesFlowing',
      ]),
    )
    for (const rule of rules) {
      expect(rule.expr.trim(), rule.alert).not.toBe('')
      expect(['critical', 'warning', 'info'], rule.alert).toContain(rule.labels.severity)
      expect(rule.annotations.summary, rule.alert).toBeTruthy()
      if (rule.for) expect(rule.for, rule.alert).toMatch(/^\d+[smhd]$/)
    }
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length)
  })

  it('every metric their PromQL reads is exported by a real server', () => {
    const missing: string[] = []
    let checked = 0
    for (const { where, expr } of expressions) {
      const names = metricNames(expr)
      expect(names.length, `${where}: ${expr}`).toBeGreaterThan(0)
      for (const name of names) {
        checked++
        if (!exported(types, name)) missing.push(`${name} (${where})`)
      }
    }
    expect(missing).toEqual([])
    expect(checked).toBeGreaterThan(30)
  })
})
