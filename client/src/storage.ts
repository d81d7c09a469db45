// Where the outbox keeps pending sends across restarts: any key/value store with this shape, sync or
// async — window.localStorage, React Native's AsyncStorage, or memoryStorage() (the default: pending sends
// survive reconnects, not a reload).

export interface KeyValueStorage {
  getItem(key: string): string | null | Promise<string | null>
  setItem(key: string, value: string): void | Promise<void>
  removeItem(key: string): void | Promise<void>
}

export function memoryStorage(): KeyValueStorage {
  const items = new Map<string, string>()
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  }
}
