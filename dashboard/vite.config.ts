import { defineConfig } from 'vite';

// Served by the gateway at /ui/ from the jar's stoke-dashboard/ folder: no CDN, hashed assets.
export default defineConfig({
  base: '/ui/',
  build: {
    outDir: 'target/classes/stoke-dashboard',
    emptyOutDir: true,
    chunkSizeWarningLimit: 200,
  },
});
