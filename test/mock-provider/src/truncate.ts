/**
 * The first `max` characters of `text`, counted in code points so a surrogate
 * pair is never split (which would put a lone surrogate into the JSON output).
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = '';
  let count = 0;
  for (const ch of text) {
    if (count >= max) break;
    out += ch;
    count += 1;
  }
  return out;
}
