#!/usr/bin/env node
// Builds the admin console (packages/console → packages/console/dist) when its output is missing or older than
// its sources. Run by `npm start` and `npm test` (prestart / pretest), so a clean clone needs only `npm ci` and
// one of them: no dependency install script is involved (docs/decisions/0015). `--force` always builds.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const consoleDir = path.join(root, 'packages/console');
const output = path.join(consoleDir, 'dist/index.html');

/** The newest modification time among the console's sources and build configuration. */
const newestSource = () => {
  const files = [
    ...readdirSync(path.join(consoleDir, 'src'), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.join(entry.parentPath ?? entry.path, entry.name)),
    ...['index.html', 'vite.config.ts', 'package.json'].map((name) => path.join(consoleDir, name)),
  ];
  return Math.max(...files.filter((file) => existsSync(file)).map((file) => statSync(file).mtimeMs));
};

const force = process.argv.includes('--force');
if (!force && existsSync(output) && statSync(output).mtimeMs >= newestSource()) process.exit(0);

const vite = path.join(root, 'node_modules/vite/bin/vite.js');
if (!existsSync(vite)) {
  // Installed without dev dependencies (e.g. `npm ci --omit=dev` with a prebuilt image): the server starts anyway
  // and /console says how to build it.
  console.error(
    'Vite is not installed: the admin console is not built (npm run build:console after npm ci).',
  );
  process.exit(0);
}
console.error('Building the admin console (packages/console)…');
const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
  cwd: consoleDir,
  stdio: 'inherit',
});
if (result.status !== 0) {
  console.error('The admin console could not be built.');
  process.exit(result.status ?? 1);
}
