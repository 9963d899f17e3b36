/** OpenAI caches prompts of at least this many tokens… */
const OPENAI_MIN_CACHED = 1024;
/** …in increments of this many tokens. */
const OPENAI_CACHE_STEP = 128;

/**
 * OpenAI's `cached_tokens` for a prompt whose reusable prefix (everything before the last
 * message / input item) counts `prefixTokens`: that prefix rounded down to a multiple of 128
 * once it reaches 1024 tokens, else 0. As if the same conversation had just been sent
 * without its last turn.
 */
export function openaiCachedTokens(prefixTokens: number): number {
  if (prefixTokens < OPENAI_MIN_CACHED) return 0;
  return Math.floor(prefixTokens / OPENAI_CACHE_STEP) * OPENAI_CACHE_STEP;
}

/** A run of prompt tokens (a tool, a system block, a content block), in prompt order. */
export interface PromptSegment {
  tokens: number;
  /** Set when the block carries `cache_control`: the breakpoint's TTL. */
  breakpoint?: '5m' | '1h';
}

/** How Anthropic bills a prompt: `input` excludes both cache figures. */
export interface CacheSplit {
  input: number;
  cacheRead: number;
  cacheCreation: number;
  /** TTL of the cache entry written (that of the last breakpoint). */
  ttl: '5m' | '1h';
}

/**
 * Anthropic's split of a prompt by its `cache_control` breakpoints: the prefix up to the
 * second-to-last breakpoint is read from the cache (an earlier turn wrote it), the part from
 * there to the last breakpoint is written to the cache, the rest is plain input. One
 * breakpoint: everything up to it is written; none: everything is input.
 */
export function anthropicCacheSplit(segments: readonly PromptSegment[]): CacheSplit {
  const ends: number[] = [];
  let total = 0;
  let ttl: '5m' | '1h' = '5m';
  for (const segment of segments) {
    total += segment.tokens;
    if (segment.breakpoint !== undefined) {
      ends.push(total);
      ttl = segment.breakpoint;
    }
  }
  const last = ends.at(-1) ?? 0;
  const previous = ends.at(-2) ?? 0;
  return { input: total - last, cacheRead: previous, cacheCreation: last - previous, ttl };
}
