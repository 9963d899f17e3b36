/**
 * Runs tasks one after another, in the order given: a sink's publications never overlap, so its
 * lines, messages or requests keep the order of the checkpoints even when `publish` is called again
 * before the last call settled. A task that fails does not stop the ones after it.
 */
export class Serial {
  /** The last task queued, settled either way: the next one starts after it. */
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(task);
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /** Resolves once every task queued so far has settled. */
  async idle(): Promise<void> {
    await this.#tail;
  }
}
