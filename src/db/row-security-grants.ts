// With ROW_LEVEL_SECURITY=on the app runs as the role switchboard_app (src/db/row-security.ts): at start,
// as the connecting (owner) user, the role is created when missing (that needs CREATEROLE; otherwise an
// operator creates it once: CREATE ROLE switchboard_app NOLOGIN), the connecting user may become it,
// and it gets the privileges the app needs: our tables (whose policies then apply to it) and the
// outbox's schema, which graphile-worker installs at start (a send enqueues in its own statement).
import pg from 'pg'
import { APP_ROLE } from './row-security.js'

export async function prepareAppRole(url: string, schema: string) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    // Nodes starting at once would GRANT on the same catalog rows concurrently, which PostgreSQL refuses
    // ("tuple concurrently updated"): one node at a time (the lock ends with the session).
    await client.query(`select pg_advisory_lock(hashtext('switchboard:prepareAppRole'))`)
    const { rowCount } = await client.query('select 1 from pg_roles where rolname = $1', [APP_ROLE])
    if (!rowCount) {
      try {
        await client.query(`CREATE ROLE ${APP_ROLE} NOLOGIN NOBYPASSRLS`)
      } catch (e) {
        // Another node created it at the same moment, or this user may not create roles.
        const again = await client.query('select 1 from pg_roles where rolname = $1', [APP_ROLE])
        if (!again.rowCount)
          throw new Error(
            `ROW_LEVEL_SECURITY=on needs the role ${APP_ROLE}; create it once as a privileged user: CREATE ROLE ${APP_ROLE} NOLOGIN (${String(e)})`,
            { cause: e },
          )
      }
    }
    const member = await client.query('select pg_has_role(current_user, $1, $2) as ok', [APP_ROLE, 'MEMBER'])
    if (!member.rows[0]?.ok)
      await client.query(`GRANT ${APP_ROLE} TO ${client.escapeIdentifier((await client.query('select current_user as u')).rows[0].u)}`)
    await client.query(`GRANT USAGE ON SCHEMA public TO ${APP_ROLE}`)
    await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${APP_ROLE}`)
    await client.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${APP_ROLE}`)
    const s = client.escapeIdentifier(schema)
    await client.query(`GRANT USAGE ON SCHEMA ${s} TO ${APP_ROLE}`)
    await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${s} TO ${APP_ROLE}`)
    await client.query(`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA ${s} TO ${APP_ROLE}`)
    await client.query(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ${s} TO ${APP_ROLE}`)
    // graphile-worker keeps row-level security on its own tables with no policy for other roles: the
    // outbox holds no tenant data, so the app role may use its rows (a send enqueues in its statement).
    const { rows } = await client.query<{ name: string }>(
      `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = $1 and c.relkind = 'r' and c.relrowsecurity
         and not exists (select 1 from pg_policies p where p.schemaname = $1 and p.tablename = c.relname and p.policyname = 'switchboard_app_outbox')`,
      [schema],
    )
    for (const { name } of rows)
      await client
        .query(
          `CREATE POLICY switchboard_app_outbox ON ${s}.${client.escapeIdentifier(name)} TO ${APP_ROLE} USING (true) WITH CHECK (true)`,
        )
        .catch((e: { code?: string }) => {
          if (e.code !== '42710') throw e // another node created it at the same moment
        })
  } finally {
    await client.end()
  }
}
