import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/**
 * In middleware mode (the local runtime serves the app through its own HTTP server) Vite
 * opens its dev-client WebSocket on the fixed port 24678: two stacks at once (browser
 * tests in parallel, `npm start` beside a test) would share it and the pages of one
 * would fail to connect to the other's. Each server gets a free port instead.
 */
function ownDevSocketPort(): Plugin {
  return {
    name: 'atende-own-dev-socket-port',
    apply: 'serve',
    async config(c) {
      if (!c.server?.middlewareMode || c.server.ws === false) return;
      const ws = typeof c.server.ws === 'object' ? c.server.ws : {};
      if (ws.port || ws.server) return;
      return { server: { ws: { ...ws, port: await freePort(), host: '127.0.0.1' } } };
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react(), ownDevSocketPort()],
  build: { outDir: 'dist', emptyOutDir: true },
});
