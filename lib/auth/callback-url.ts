// Where a reviewer goes after signing in: only ever a path on Airlock's own origin. The login
// page, its form and next-auth's redirect callback all ask this one function, so a link such
// as /login?callbackUrl=/%09/example.com cannot send a signed-in reviewer to another site.

// Any origin will do: a value that resolves against it to another origin would against ours.
const BASE = new URL("http://airlock.invalid/");

/** Tab, newline and the other controls (the URL parser drops some of them), and backslashes
 * (which it reads as slashes). */
function hasUnsafeCharacter(value: string): boolean {
  for (const ch of value) {
    const code = ch.codePointAt(0) as number;
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || ch === "\\") return true;
  }
  return false;
}

/** The path, query and fragment `value` names on this origin, or null. */
function pathOnThisOrigin(value: string): string | null {
  if (hasUnsafeCharacter(value) || !value.startsWith("/") || value.startsWith("//")) return null;
  let url: URL;
  try {
    url = new URL(value, BASE);
  } catch {
    return null;
  }
  const path = `${url.pathname}${url.search}${url.hash}`;
  // Dot segments can leave a path that starts with two slashes: /.//example.com
  if (url.origin !== BASE.origin || path.startsWith("//")) return null;
  return path;
}

/**
 * The same-origin path (with query and fragment) to go to after signing in, or null when
 * `value` is anything else: an absolute or scheme-relative URL, `//` and `/\` prefixes,
 * controls or backslashes anywhere, in the value as given or decoded once (whatever decodes
 * it next must not find them either).
 */
export function safeCallbackPath(value: string | null | undefined): string | null {
  if (!value) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    return null;
  }
  if (pathOnThisOrigin(decoded) === null) return null;
  return pathOnThisOrigin(value);
}

/**
 * next-auth's redirect callback: `url` is a path, or an absolute URL next-auth made from one
 * on `baseUrl` (this origin). Anything not safe goes to `baseUrl` itself.
 */
export function sameOriginRedirect({ url, baseUrl }: { url: string; baseUrl: string }): string {
  const relative = url.startsWith(`${baseUrl}/`) ? url.slice(baseUrl.length) : url;
  const path = safeCallbackPath(relative);
  return path ? `${baseUrl}${path}` : baseUrl;
}
