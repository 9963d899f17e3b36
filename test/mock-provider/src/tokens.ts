import { Buffer } from 'node:buffer';

/**
 * Deterministic token count used by the mock provider for every `usage` figure:
 * `Math.ceil(utf8Length(text) / 4)`, so any non-empty text counts at least 1 token
 * and the empty string counts 0.
 */
export function tokens(text: string): number {
  if (text.length === 0) return 0;
  return Math.ceil(Buffer.byteLength(text, 'utf8') / 4);
}

/** The tokens of several texts, each counted on its own by {@link tokens}. */
export function sumTokens(texts: readonly string[]): number {
  return texts.reduce((sum, text) => sum + tokens(text), 0);
}
