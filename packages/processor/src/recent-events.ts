/**
 * The event ids of recently sealed spans, by `traceId-spanId`: a decision names the calls it rests
 * on by span (the app cannot know event ids, which are assigned at sealing), and its record names
 * them by event id too. Bounded: the oldest entries go first.
 */
export class RecentEvents {
  readonly #ids = new Map<string, string>();
  readonly #limit: number;

  constructor(limit = 100_000) {
    this.#limit = limit;
  }

  remember(traceId: string, spanId: string, eventId: string): void {
    this.#ids.set(`${traceId}-${spanId}`, eventId);
    if (this.#ids.size > this.#limit) this.#ids.delete(this.#ids.keys().next().value!);
  }

  /** The event id of each `traceId-spanId` reference, or null for a span not sealed here (recently). */
  eventIds(refs: readonly unknown[]): (string | null)[] {
    return refs.map((ref) => (typeof ref === 'string' ? (this.#ids.get(ref) ?? null) : null));
  }
}
