import type { ResolvedLogOptions } from './config.js';
import { LogContentStore } from './log-content-store.js';

/** The log content store of each span processor that has a log record processor attached. */
const stores = new WeakMap<object, LogContentStore>();

/** The store of `spanProcessor`, created on first use (two log processors on one span processor share it). */
export function attachLogContent(spanProcessor: object, options: ResolvedLogOptions): LogContentStore {
  let store = stores.get(spanProcessor);
  if (store === undefined) stores.set(spanProcessor, (store = new LogContentStore(options)));
  return store;
}

/** The store attached to `spanProcessor`, if a log record processor was created for it. */
export function logContentOf(spanProcessor: object): LogContentStore | undefined {
  return stores.get(spanProcessor);
}
