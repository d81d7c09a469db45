// The SDK as a user gets it: its committed typed documents are current, `tsc` builds it, `npm pack`
// packs it, and the tarball installed into an empty project (no React) type-checks against its .d.ts and
// sends and receives a message against a real server.
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from './kit/app.js'
import { client } from './kit/execute.js'
import { tenantWorld } from './kit/world.js'
import { CreateConversationDocument, MessagesDocument } from '../client/generated/graphql.js'

const run = promisify(execFile)
const root = path.resolve(import.meta.dirname, '..')
const clientDir = path.join(root, 'client')
const bin = (name: string) => path.join(root, 'node_modules', '.bin', name)

let work: string
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-sdk-pack-'))
})
afterAll(() => fs.rmSync(work, { recursive: true, force: true }))

describe('client package', () => {
  it('its committed typed documents are what codegen makes of schema.graphql and client/src/operations', async () => {
    const out = path.join(work, 'generated')
    await run(bin('graphql-codegen'), ['--config', path.join(clientDir, 'codegen.ts')], {
      cwd: root,
      env: { ...process.env, SWITCHBOARD_CLIENT_CODEGEN_OUT: out },
    })
    const committed = path.join(clientDir, 'src', 'generated')
    const names = fs.readdirSync(out).sort()
    expect(fs.readdirSync(committed).sort()).toEqual(names)
    for (const name of names) {
      expect(
        fs.readFileSync(path.join(committed, name), 'utf8'),
        `client/src/generated/${name} is stale: run npm run -s generate in client/ (or npx graphql-codegen --config client/codegen.ts)`,
      ).toBe(fs.readFileSync(path.join(out, name), 'utf8'))
    }
  })

  describe('packed, installed and used', () => {
    let t: TestApp
    beforeAll(async () => {
      t = await startTestApp()
    })
    afterAll(() => t?.stop())

    it('builds with tsc, packs, installs without React, type-checks, and sends and receives a message', async () => {
      fs.rmSync(path.join(clientDir, 'dist'), { recursive: true, force: true })
      await run(bin('tsc'), ['-p', path.join(clientDir, 'tsconfig.json')], { cwd: root })
      const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: clientDir })
      const [info] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>
      const files = info!.files.map((f) => f.path)
      expect(files).toEqual(
        expect.arrayContaining([
          'package.json',
          'dist/index.js',
          'dist/index.d.ts',
          'dist/react/index.js',
          'dist/react/index.d.ts',
          'dist/generated/graphql.d.ts',
        ]),
      )
      expect(files.filter((f) => !/^(dist|src)\/|^(package\.json|README\.md)$/.test(f))).toEqual([])

      const project = path.join(work, 'consumer')
      fs.mkdirSync(project)
      fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'sdk-consumer', private: true, type: 'module' }))
      await run(
        'npm',
        [
          'install',
          path.join(work, info!.filename),
          'graphql@16.15.0',
          'ws@8.23.0',
          '--prefer-offline',
          '--no-audit',
          '--no-fund',
          '--ignore-scripts',
        ],
        { cwd: project },
      )
      expect(fs.existsSync(path.join(project, 'node_modules', 'react'))).toBe(false)

      // The published types, checked strictly (skipLibCheck off) from a project that has only the package.
      fs.writeFileSync(
        path.join(project, 'check.ts'),
        [
          "import { createSwitchboardClient, memoryStorage, type TimelineSnapshot, type TimelineItem } from '@switchboard/client'",
          "const sdk = createSwitchboardClient({ url: 'http://localhost:4000/graphql', getToken: async ({ forceRefresh }) => (forceRefresh ? 'new' : 'old'), storage: memoryStorage() })",
          "const snapshot: TimelineSnapshot = sdk.timeline('c').getSnapshot()",
          "const bodies: Array<string | null> = snapshot.items.map((i: TimelineItem) => (i.status === 'sent' ? i.message.body : i.entry.body))",
          '// @ts-expect-error a body is a string',
          "sdk.send('c', 42)",
          'export { bodies }',
        ].join('\n'),
      )
      fs.writeFileSync(
        path.join(project, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2022',
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            strict: true,
            noEmit: true,
            skipLibCheck: false,
            lib: ['ES2022', 'DOM'],
            types: [],
          },
          files: ['check.ts'],
        }),
      )
      await run(bin('tsc'), ['-p', path.join(project, 'tsconfig.json')], { cwd: project }).catch((e: { stdout: string }) => {
        throw new Error(`the installed package does not type-check:\n${e.stdout}`)
      })

      const w = tenantWorld(t.graphqlUrl)
      const [alice, bob] = await Promise.all([w.user('alice'), w.user('bob')])
      const conversationId = (
        await client(t.graphqlUrl)({
          document: CreateConversationDocument,
          token: alice.token,
          variables: { input: { kind: 'DIRECT', participantExternalIds: ['bob'] } },
        })
      ).expectData().createConversation.conversation.id
      fs.writeFileSync(
        path.join(project, 'chat.mjs'),
        `import { createSwitchboardClient } from '@switchboard/client'
import WebSocket from 'ws'
const { url, aliceToken, bobToken, conversationId } = JSON.parse(process.env.SDK_TEST)
const alice = createSwitchboardClient({ url, getToken: () => aliceToken, WebSocket })
const bob = createSwitchboardClient({ url, getToken: () => bobToken, WebSocket })
const timeline = bob.timeline(conversationId)
const received = new Promise((resolve) => {
  const off = timeline.subscribe(() => {
    const sent = timeline.getSnapshot().items.filter((i) => i.status === 'sent')
    if (sent.length) { off(); resolve(sent.map((i) => ({ seq: i.seq, body: i.message.body, sender: i.message.sender.externalId }))) }
  })
})
const entry = alice.send(conversationId, 'hello from the tarball')
const committed = await alice.acknowledged(entry.clientMessageId)
console.log(JSON.stringify({ clientMessageId: entry.clientMessageId, committed: { seq: committed.seq, clientMessageId: committed.clientMessageId }, received: await received }))
alice.close()
bob.close()
`,
      )
      const { stdout } = await run(process.execPath, ['chat.mjs'], {
        cwd: project,
        timeout: 30_000,
        env: {
          ...process.env,
          SDK_TEST: JSON.stringify({ url: t.graphqlUrl, aliceToken: alice.token, bobToken: bob.token, conversationId }),
        },
      })
      const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
        clientMessageId: string
        committed: { seq: number; clientMessageId: string }
        received: unknown[]
      }
      expect(result.committed.clientMessageId).toBe(result.clientMessageId)
      expect(result.received).toEqual([{ seq: result.committed.seq, body: 'hello from the tarball', sender: 'alice' }])
      const stored = (
        await client(t.graphqlUrl)({ document: MessagesDocument, token: bob.token, variables: { conversationId } })
      ).expectData().conversation!.messages.edges
      expect(stored.map((e) => [e.node.body, e.node.clientMessageId])).toEqual([['hello from the tarball', result.clientMessageId]])
    })
  })
})
