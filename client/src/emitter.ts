// A set of listeners, and a store base whose snapshot changes identity only when its state changes (what
// React's useSyncExternalStore needs).

export type Listener = () => void

export class Listeners<T extends unknown[] = []> {
  private set = new Set<(...args: T) => void>()
  add(listener: (...args: T) => void): () => void {
    this.set.add(listener)
    return () => this.set.delete(listener)
  }
  emit(...args: T): void {
    for (const listener of [...this.set]) listener(...args)
  }
  get size(): number {
    return this.set.size
  }
}

export abstract class Store<S> {
  private listeners = new Listeners()
  private cached: S | undefined
  protected abstract compute(): S

  /** The current state; the same object until something changes. */
  getSnapshot = (): S => (this.cached ??= this.compute())

  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe = (listener: Listener): (() => void) => {
    const remove = this.listeners.add(listener)
    this.onListenersChanged(this.listeners.size)
    return () => {
      remove()
      this.onListenersChanged(this.listeners.size)
    }
  }

  protected changed(): void {
    this.cached = undefined
    this.listeners.emit()
  }

  /** Subclasses start or stop their live work when the first listener comes or the last one goes. */
  protected onListenersChanged(_count: number): void {}
}
