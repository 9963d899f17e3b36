/** A plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The text parts of a message `content`: the string itself, or the `text` of every part
 * whose `type` is one of `partTypes` (plain strings in the array count too).
 */
export function textsOf(content: unknown, partTypes: ReadonlySet<string>): string[] {
  if (typeof content === 'string') return [content];
  if (!Array.isArray(content)) return [];
  const texts: string[] = [];
  for (const part of content) {
    if (typeof part === 'string') texts.push(part);
    else if (isRecord(part) && partTypes.has(part['type'] as string) && typeof part['text'] === 'string') {
      texts.push(part['text']);
    }
  }
  return texts;
}
