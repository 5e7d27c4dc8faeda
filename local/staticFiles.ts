import { existsSync, promises as fs } from 'node:fs';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { HttpErrorCodes } from '../functions/http/httpErrors';
import type { RawRoute } from './host';
import { sendHttpError } from './rawErrorResponse';

/** URL prefix of the demo sign-in frontend (the repo's `web/` folder). */
export const WEB_PREFIX = '/web';

/** URL prefix of the admin console (the repo's `admin/` folder). */
export const ADMIN_PREFIX = '/admin';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The page only talks to its own origin; the vendor bundle is a classic script, the app a module.
 * WebAuthn needs no extra permission on a top-level same-origin page.
 */
export const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'Cache-Control': 'no-cache',
};

/** The repo root: the first folder above `from` holding a package.json (dist/local/ in `npm start`, local/ in tests). */
export function findRepoRoot(from: string = __dirname): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No package.json above ${from}: cannot locate the web/ folder.`);
    dir = parent;
  }
}

/** @simplewebauthn/browser's UMD bundle (it defines `globalThis.SimpleWebAuthnBrowser`). */
function simpleWebAuthnBundle(root: string): string {
  try {
    // The package exports only ".", which resolves to <pkg>/script/index.js.
    const entry = require.resolve('@simplewebauthn/browser', { paths: [root] });
    return join(dirname(dirname(entry)), 'dist', 'bundle', 'index.umd.min.js');
  } catch {
    return join(root, 'node_modules', '@simplewebauthn', 'browser', 'dist', 'bundle', 'index.umd.min.js');
  }
}

export interface StaticFilesOptions {
  /** The URL prefix served; default {@link WEB_PREFIX}. */
  prefix?: string;
  /** The folder to serve; default `<repo root>/web`. */
  webDir?: string;
  /** Files served from outside webDir, by path below the prefix (e.g. `vendor/x.js`). */
  mapped?: Record<string, string>;
}

/**
 * Serves GET/HEAD under `/web/` from the repo's `web/` folder (the demo sign-in frontend), and
 * `/web/vendor/simplewebauthn-browser.js` from node_modules (or, with `prefix` and `webDir`, another
 * folder under another prefix: the admin console). Anything else falls through.
 */
export function staticFilesRoute(options: StaticFilesOptions = {}): RawRoute {
  const prefix = options.prefix ?? WEB_PREFIX;
  const root = options.webDir ? undefined : findRepoRoot();
  const webDir = resolve(options.webDir ?? join(root!, 'web'));
  const mapped: Record<string, string> = options.mapped ?? {
    'vendor/simplewebauthn-browser.js': simpleWebAuthnBundle(root ?? findRepoRoot()),
  };

  return async (req, res, url) => {
    const path = url.pathname;
    if (path !== prefix && !path.startsWith(`${prefix}/`)) return false;
    const method = (req.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') {
      sendHttpError(
        res,
        HttpErrorCodes.methodNotAllowed,
        `The method '${method}' is not allowed on static files; expected GET or HEAD.`,
        {
          Allow: 'GET, HEAD',
        },
      );
      return true;
    }
    if (path === prefix) {
      res.writeHead(301, { Location: `${prefix}/${url.search}`, 'Content-Length': '0' }).end();
      return true;
    }

    let relative: string;
    try {
      relative = decodeURIComponent(path.slice(prefix.length + 1));
    } catch {
      sendHttpError(res, HttpErrorCodes.malformedRequest, 'The path does not percent-decode.');
      return true;
    }
    if (relative === '' || relative.endsWith('/')) relative += 'index.html';
    const segments = relative.split('/');
    // No traversal, no hidden files, no Windows separators or NULs.
    if (
      segments.some(
        (s) => s === '' || s === '.' || s === '..' || s.startsWith('.') || s.includes('\\') || s.includes('\0'),
      )
    ) {
      sendHttpError(res, HttpErrorCodes.routeNotFound, 'No such file is served here.');
      return true;
    }

    let file = mapped[relative];
    if (!file) {
      file = resolve(webDir, ...segments);
      if (!file.startsWith(webDir + sep)) {
        sendHttpError(res, HttpErrorCodes.routeNotFound, 'No such file is served here.');
        return true;
      }
    }
    let stat;
    try {
      stat = await fs.stat(file);
    } catch {
      stat = undefined;
    }
    if (!stat?.isFile()) {
      sendHttpError(res, HttpErrorCodes.routeNotFound, 'No such file is served here.');
      return true;
    }

    const etag = `W/"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
    const headers: Record<string, string> = {
      ...SECURITY_HEADERS,
      'Content-Type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      ETag: etag,
      'Last-Modified': stat.mtime.toUTCString(),
    };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers).end();
      return true;
    }
    const content = await fs.readFile(file);
    headers['Content-Length'] = String(content.length);
    res.writeHead(200, headers);
    res.end(method === 'HEAD' ? undefined : content);
    return true;
  };
}
