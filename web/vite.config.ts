/**
 * Builds the web terminal (web/) into web/dist, which the daemon serves at `/` and
 * `/dashboard`. `vite --config web/vite.config.ts` runs a development server that forwards
 * the API and the live socket to a daemon on 127.0.0.1:7300.
 */
import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

const root = fileURLToPath(new URL('.', import.meta.url))
const DAEMON = 'http://127.0.0.1:7300'

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      // changeOrigin rewrites Origin/Host so the daemon's same-origin check passes.
      '/api': { target: DAEMON, changeOrigin: true },
      '/ws': { target: DAEMON, ws: true, changeOrigin: true },
    },
  },
})
