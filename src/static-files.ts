import { extname } from 'node:path';

/**
 * How the dashboard's built files are served, the same by `npm start` (src/local/web.ts) and from
 * its S3 bucket (src/cloud/aws/dashboard-assets.ts): their content type, and their caching (the
 * assets' names carry a hash of their content; index.html is asked for again each time).
 */
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

export const contentTypeOf = (file: string) => CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';

/** `key`: the file's path inside the build, with `/` separators (assets/index-1a2b.js). */
export const cacheControlOf = (key: string) =>
  key.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
