import { defineConfig } from 'vite';

/**
 * The dashboard's build. `npm start` builds it once (src/local/web.ts) and serves it at /; `npx vite
 * --config web/vite.config.ts` serves it with hot reload, the API proxied to a running `npm start`.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  // Preact's automatic JSX runtime (tsconfig says the same for the type-check).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    target: 'es2022',
    // Each page is a chunk of its own (lazy routes in src/main.tsx); the first page gets only its own.
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    chunkSizeWarningLimit: 120,
  },
  server: {
    proxy: {
      '/v1': 'http://127.0.0.1:3000',
      '/local': 'http://127.0.0.1:3000',
      '/config.json': 'http://127.0.0.1:3000',
    },
  },
});
