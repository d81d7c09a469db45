import { pino, type Logger } from 'pino'

export type { Logger }

// Structured JSON logs. Tokens and message bodies are never logged: the redact list is a second line of
// defence behind never passing them to the logger at all.
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'switchboard' },
    redact: { paths: ['authorization', '*.authorization', 'token', '*.token', 'body', '*.body', 'variables'], censor: '[redacted]' },
  })
}
