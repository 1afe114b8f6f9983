#!/usr/bin/env node
// `npm test`: prepares a migrated PGlite template once (so each test file restores it in ~0.5 s instead of
// running initdb for ~4 s), then runs every *.test.ts with Node's test runner. Arguments narrow the run:
// `npm test -- vault` runs the test files whose path contains "vault".
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const filters = process.argv.slice(2);
const files = readdirSync(path.join(root, 'packages'), { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile() && entry.name.endsWith('.test.ts'))
  .map((entry) => path.relative(root, path.join(entry.parentPath ?? entry.path, entry.name)))
  .filter((file) => !file.includes('node_modules'))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();
if (files.length === 0) {
  console.error(`No test files match ${filters.join(' ')}`);
  process.exit(1);
}

const work = mkdtempSync(path.join(tmpdir(), 'gatehouse-test-'));
const template = path.join(work, 'pglite-template.tar');
const node = process.execPath;
const run = (args, env = {}) =>
  spawnSync(node, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } }).status ?? 1;

try {
  if (run(['--import', 'tsx', 'packages/server/test/support/make-template.ts', template]) !== 0) {
    console.error('Could not prepare the PGlite template database.');
    process.exit(1);
  }
  const status = run(
    [
      '--import',
      'tsx',
      '--test',
      '--test-concurrency=2',
      '--test-timeout=180000',
      '--test-reporter=spec',
      ...files,
    ],
    { GATEHOUSE_TEST_PGLITE_TEMPLATE: template, NODE_ENV: 'test' },
  );
  process.exitCode = status;
} finally {
  rmSync(work, { recursive: true, force: true });
}
