/** `scheme://`, the only text kept before masked user info. */
const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * A URL fit for logs, error messages and sink names: user info, every query value (and any query
 * part without `=`) and any fragment become `***`, as each may hold a password or a token.
 *
 * Safety: done on the text as written, not on a parsed URL, so that a message quotes what was
 * configured and text no URL parser accepts is redacted too. Where the user info ends cannot be
 * told from the text when a password holds an unencoded `/`, `?`, `#` or `@`
 * (`https://bob:s3cr/et@host/`), so everything from after `scheme://` to the last `@` of the whole
 * text is masked, whatever lies between: no user info survives, at the cost of masking a path or
 * query that holds an `@` too. When the masked text holds a `?` or `#`, what follows the `@` may be
 * the rest of a query value or fragment (`?token=abc@def`) as well as a host: it is masked too.
 * Without `scheme://` at the very start (`http:bob:pw@host` is a URL with user info too, and URL
 * parsers skip leading spaces) the mask starts at the first character.
 *
 * @example redactUrl('https://bob:s3cr/et@ct.example/cp?token=t#x') // 'https://***@ct.example/cp?token=***#***'
 */
export function redactUrl(text: string): string {
  const at = text.lastIndexOf('@');
  if (at < 0) return redactQuery(text);
  const scheme = SCHEME.exec(text)?.[0] ?? '';
  if (/[?#]/.test(text.slice(scheme.length, at))) return `${scheme}***`;
  return `${scheme}***${redactQuery(text.slice(at))}`;
}

/** Query values, query parts without `=` and a fragment become `***`; what precedes the first `?` or `#` is kept. */
function redactQuery(text: string): string {
  const hash = text.indexOf('#');
  const beforeHash = hash < 0 ? text : text.slice(0, hash);
  const fragment = hash < 0 ? '' : hash === text.length - 1 ? '#' : '#***';
  const question = beforeHash.indexOf('?');
  if (question < 0) return `${beforeHash}${fragment}`;
  const query = beforeHash
    .slice(question + 1)
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=');
      return eq >= 0 ? `${part.slice(0, eq)}=***` : part === '' ? '' : '***';
    })
    .join('&');
  return `${beforeHash.slice(0, question)}?${query}${fragment}`;
}
