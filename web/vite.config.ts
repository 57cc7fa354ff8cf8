import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

// `npm run dev:web`: Vite with hot reload on :5173, the API (npm start) proxied from API_URL.
const api = process.env.API_URL ?? 'http://localhost:3000';

export default defineConfig({
  plugins: [
    react(),
    VitePWA({
      registerType: 'prompt',
      injectRegister: false,
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      injectManifest: {
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        // The admin panel's chunk is for staff only: precaching it would download it for everyone.
        globIgnores: ['**/AdminPanel-*'],
      },
      manifest: {
        name: 'One 2 One Love',
        short_name: 'One 2 One',
        description: 'Love notes, a shared calendar, a daily question and a relationship coach for two.',
        theme_color: '#b0234f',
        background_color: '#fff8f9',
        display: 'standalone',
        start_url: '/',
        icons: [
          { src: '/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
        ],
      },
    }),
  ],
  build: { outDir: 'dist', sourcemap: true, chunkSizeWarningLimit: 800 },
  server: {
    proxy: {
      '/v1': { target: api, ws: true },
      '/health': api,
      '/docs': api,
    },
  },
});
