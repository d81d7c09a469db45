/** A random UUID v4: crypto.randomUUID where it exists, else crypto.getRandomValues (React Native with a polyfill). */
export function randomId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string; getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto
  if (typeof c?.randomUUID === 'function') return c.randomUUID()
  if (typeof c?.getRandomValues !== 'function') {
    throw new Error(
      'No crypto.randomUUID or crypto.getRandomValues: pass createSwitchboardClient({ generateId }) (React Native: install react-native-get-random-values)',
    )
  }
  const b = c.getRandomValues(new Uint8Array(16))
  b[6] = (b[6]! & 0x0f) | 0x40
  b[8] = (b[8]! & 0x3f) | 0x80
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
