/**
 * A URL fit for logs, error messages and sink names: user info, every query value and any fragment
 * become `***` (each may hold a password or a token). Done on the text as written, not on a parsed
 * URL, so that a message quotes what was configured, and so that text no URL parser accepts (a
 * password with an unencoded `#` or `?`) is redacted too: the user info is everything up to the
 * last `@` of the authority.
 */
export function redactUrl(text: string): string {
  let out = text;
  const scheme = text.indexOf('://');
  if (scheme >= 0) {
    const start = scheme + 3;
    const slash = text.indexOf('/', start);
    const at = text.slice(start, slash < 0 ? text.length : slash).lastIndexOf('@');
    if (at >= 0) out = `${text.slice(0, start)}***${text.slice(start + at)}`;
  }
  return out.replace(/([?&][^=&#]*)=[^&#]*/g, '$1=***').replace(/#.+$/, '#***');
}
