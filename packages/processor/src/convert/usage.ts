import type { Usage } from '@auditrail/core';

/** Token counts as a dialect found them, before the record's convention is applied. */
export interface TokenCounts {
  readonly input: number | null;
  readonly output: number | null;
  readonly cacheRead: number | null;
  readonly cacheWrite: number | null;
  readonly reasoning: number | null;
}

/**
 * The record's usage, in the GenAI semantic-convention sense: `input_tokens` includes cache reads
 * and cache writes, `output_tokens` includes reasoning. `inputExcludesCache` is for sources that
 * copied Anthropic's raw `input_tokens` (which leaves both cache figures out): they are added back.
 * Null when the span reports no tokens at all.
 */
export function usageOf(t: TokenCounts, inputExcludesCache = false): Usage | null {
  let input = t.input;
  if (inputExcludesCache && input !== null) input += (t.cacheRead ?? 0) + (t.cacheWrite ?? 0);
  // Keys in canonical (sorted) order: see core's canonicalJson.
  const usage: Usage = {
    cache_read_tokens: t.cacheRead,
    cache_write_tokens: t.cacheWrite,
    input_tokens: input !== null && Number.isSafeInteger(input) ? input : null,
    output_tokens: t.output,
    reasoning_tokens: t.reasoning,
  };
  return Object.values(usage).every((v) => v === null) ? null : usage;
}
