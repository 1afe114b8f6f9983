import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by the server at /console (packages/server/src/console/routes.ts): hashed files under /console/assets
// are cached for a year, index.html never. No inline script or style, so the page CSP can stay strict.
export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: {
    // `npm run dev -w @gatehouse/console` against a server on :3001.
    proxy: { '/api': 'http://localhost:3001', '/oidc': 'http://localhost:3001' },
  },
});
