// The raw pg baseline: bench-owned tables in their own schema, and the one-statement durable send.

/** The whole durable send as one statement: take the conversation row lock, allocate the next seq, insert. */
export const rawInsertSql = (schema: string) =>
  `WITH c AS (UPDATE ${schema}.conversation SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq)
   INSERT INTO ${schema}.message (conversation_id, seq, sender_id, client_message_id, body)
   SELECT $1, c.last_seq, $2, $3, $4 FROM c RETURNING seq`

export const rawSchemaSql = (schema: string) => [
  `CREATE SCHEMA ${schema}`,
  `CREATE TABLE ${schema}.conversation (id text PRIMARY KEY, last_seq integer NOT NULL DEFAULT 0)`,
  `CREATE TABLE ${schema}.message (id bigserial PRIMARY KEY, conversation_id text NOT NULL REFERENCES ${schema}.conversation(id), seq integer NOT NULL, sender_id text NOT NULL, client_message_id text NOT NULL, body text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), UNIQUE (conversation_id, seq), UNIQUE (conversation_id, sender_id, client_message_id))`,
]
