// `npm start`: installs what is missing, builds the app and serves it on 127.0.0.1.
import { spawn, spawnSync } from 'node:child_process';
import { ensureNodeModules } from './setup.mjs';

const port = process.env.PORT ?? '5173';

ensureNodeModules();
console.log('[start] building the app');
const build = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

console.log(`[start] serving on http://127.0.0.1:${port}/ (Ctrl+C to stop)`);
const server = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', port, '--strictPort'], {
  stdio: 'inherit',
});
server.on('exit', (code) => process.exit(code ?? 0));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
