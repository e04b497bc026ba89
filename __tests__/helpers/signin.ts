/**
 * A browser's part of the aPaaS tenant sign-in (docs/api/apaas-admin.md §9) over plain
 * HTTP: cookies by name and path, redirects followed, the Yufu login form posted.
 * The same flow in a real browser is __tests__/e2e/browser-signin.test.ts.
 */
/** Cookies by name and path, sent the way a browser sends them (host-wide, path-prefixed). */
export class CookieJar {
  private readonly cookies = new Map<string, { pair: string; path: string; attrs: string }>();

  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const name = pair!.slice(0, pair!.indexOf('='));
      const value = pair!.slice(pair!.indexOf('=') + 1);
      let cookiePath = '/';
      let expired = value === '';
      for (const attr of attrs) {
        const [k, v = ''] = attr.split('=');
        if (k!.toLowerCase() === 'path') cookiePath = v;
        if (k!.toLowerCase() === 'max-age' && Number(v) <= 0) expired = true;
      }
      const key = `${name}|${cookiePath}`;
      if (expired) this.cookies.delete(key);
      else this.cookies.set(key, { pair: pair!, path: cookiePath, attrs: attrs.join('; ') });
    }
  }

  get(name: string): { pair: string; path: string; attrs: string } | undefined {
    return [...this.cookies.entries()].find(([k]) => k.startsWith(`${name}|`))?.[1];
  }

  header(url: string): string {
    const p = new URL(url).pathname;
    return [...this.cookies.values()]
      .filter((c) => p === c.path || p.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map((c) => c.pair)
      .join('; ');
  }
}

export interface Final {
  status: number;
  url: string;
  html: string;
  sawLogin: boolean;
}

/** GET `url` and follow redirects; on the Yufu login form, post the credentials (or press cancel). */
export async function browse(idpUrl: string, url: string, jar: CookieJar, creds?: { username: string; password: string } | 'cancel'): Promise<Final> {
  let sawLogin = false;
  let method = 'GET';
  let body: URLSearchParams | undefined;
  for (let hop = 0; hop < 15; hop++) {
    const res = await fetch(url, {
      method,
      redirect: 'manual',
      headers: { cookie: jar.header(url), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body,
    });
    jar.store(res);
    method = 'GET';
    body = undefined;
    if (res.status >= 300 && res.status < 400) {
      url = new URL(res.headers.get('location')!, url).href;
      continue;
    }
    const html = await res.text();
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    if (res.status === 200 && action && url.startsWith(idpUrl) && creds !== undefined) {
      sawLogin = true;
      if (creds === 'cancel') {
        url = new URL(/<a href="([^"]+\/abort)"/.exec(html)![1]!, url).href;
      } else {
        url = new URL(action.replace(/&amp;/g, '&'), url).href;
        method = 'POST';
        body = new URLSearchParams(creds);
      }
      continue;
    }
    return { status: res.status, url, html, sawLogin };
  }
  throw new Error(`too many redirects, last at ${url}`);
}

