import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig } from 'vite';

// `npm run build -w @cairn/ui` writes dist/, which `cairn server` serves at `/` (content-hashed
// files under assets/, so they can be cached for a year). `npm run dev -w @cairn/ui` serves the
// sources with hot reload and forwards the API to a `cairn server` on 127.0.0.1:5050.
export default defineConfig({
  plugins: [react()],
  // @cairn/client and @cairn/core resolve to their TypeScript sources (no build of them needed).
  resolve: { conditions: ['@cairn/source', ...defaultClientConditions] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    // Pages other than the first load on demand; what the first page needs stays small.
    chunkSizeWarningLimit: 600,
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:5050', '/health': 'http://127.0.0.1:5050' },
  },
});
