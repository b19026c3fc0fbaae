import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by the orchestrator at `/`; `npm run dev -w @physwatch/dashboard` proxies the API to
// PHYSWATCH_API (default http://127.0.0.1:8080) for working on the UI alone.
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1024 },
  server: { proxy: { '/api': process.env.PHYSWATCH_API ?? 'http://127.0.0.1:8080' } },
});
