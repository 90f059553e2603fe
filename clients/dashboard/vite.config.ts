import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The dashboard: served by the API at /dashboard (built into dist/, hashed names under
 * /dashboard/assets/). `npm run dev:dashboard` runs Vite's dev server with hot reload, proxying
 * /graphql (HTTP and WebSocket) and /auth to a running API (DASHBOARD_API_URL, default
 * http://localhost:4000). The proxy rewrites Origin to the API's own, so the API's CSRF check
 * accepts the session cookie (cookies ignore ports: the one set by the API on localhost counts).
 */
const api = process.env.DASHBOARD_API_URL ?? 'http://localhost:4000';
const apiOrigin = new URL(api).origin;

export default defineConfig({
  root: import.meta.dirname,
  base: '/dashboard/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    // The initial JS budget (250 KB gzipped) is checked by the bench; charts load lazily.
    chunkSizeWarningLimit: 900,
  },
  server: {
    proxy: {
      '/graphql': {
        target: api,
        ws: true,
        configure: (proxy) => {
          proxy.on('proxyReq', (request) => request.setHeader('origin', apiOrigin));
          proxy.on('proxyReqWs', (request) => request.setHeader('origin', apiOrigin));
        },
      },
      '/auth': { target: api, configure: (proxy) => proxy.on('proxyReq', (request) => request.setHeader('origin', apiOrigin)) },
      '/raffles': { target: api },
      '/verify': { target: api },
    },
  },
});
