// Preloaded into the server and the raw ws process by the bench (node --expose-gc --import this file):
// SIGUSR2 runs a full garbage collection, so that RSS per connection is read after GC. Nothing else.
process.on('SIGUSR2', () => globalThis.gc?.())
