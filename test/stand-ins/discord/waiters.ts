/**
 * A recorded list that tests can await: `push` stores an entry and wakes the waiters whose
 * predicate it satisfies; `waitFor` first looks at what is already recorded, so "trigger,
 * then wait" never races.
 */
export class Recorded<T> {
  readonly #items: T[] = [];
  readonly #waiters = new Set<{ predicate: (item: T) => boolean; resolve: (item: T) => void }>();

  push(item: T): void {
    this.#items.push(item);
    for (const waiter of [...this.#waiters]) {
      if (waiter.predicate(item)) {
        this.#waiters.delete(waiter);
        waiter.resolve(item);
      }
    }
  }

  all(): T[] {
    return [...this.#items];
  }

  clear(): void {
    this.#items.length = 0;
  }

  waitFor(predicate: (item: T) => boolean, timeoutMs: number, describe: () => string): Promise<T> {
    const found = this.#items.find(predicate);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      const waiter = {
        predicate,
        resolve: (item: T) => {
          clearTimeout(timer);
          resolve(item);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${describe()}`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }
}
