/**
 * The event ids of recently sealed spans, by `traceId-spanId`: a decision names the calls it rests
 * on by span (the app cannot know event ids, which are assigned at sealing), and its record names
 * them by event id too. Bounded by generations: when the current map is full it becomes the
 * previous one and the one before is dropped, so memory holds between `limit / 2` and `limit`
 * entries and every operation stays O(1) (evicting the oldest entry of one Map, one at a time,
 * makes V8 skip ever more deleted slots).
 */
export class RecentEvents {
  #current = new Map<string, string>();
  #previous = new Map<string, string>();
  readonly #generation: number;

  constructor(limit = 100_000) {
    this.#generation = Math.max(1, Math.floor(limit / 2));
  }

  remember(traceId: string, spanId: string, eventId: string): void {
    if (this.#current.size >= this.#generation) {
      this.#previous = this.#current;
      this.#current = new Map();
    }
    this.#current.set(`${traceId}-${spanId}`, eventId);
  }

  /** The event id of each `traceId-spanId` reference, or null for a span not sealed here (recently). */
  eventIds(refs: readonly unknown[]): (string | null)[] {
    return refs.map((ref) => (typeof ref === 'string' ? (this.#current.get(ref) ?? this.#previous.get(ref) ?? null) : null));
  }
}
