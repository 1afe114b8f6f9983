import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../../../..');

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

export type GatehouseProcess = {
  child: ChildProcess;
  url: string;
  output: () => string;
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
};

/** A child process with no stdin whose stdout and stderr are collected, in the order they came, in `output()`. */
export const spawnCollecting = (
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string> },
) => {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: unknown) => {
    output += String(chunk);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return { child, output: () => output };
};

/** `npm start`'s command as a child process, on a free port of 127.0.0.1. */
export const spawnGatehouse = async (env: Record<string, string>): Promise<GatehouseProcess> => {
  const port = await freePort();
  const { child, output } = spawnCollecting(
    process.execPath,
    ['--import', 'tsx', 'packages/server/src/main.ts'],
    {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'info', ...env },
    },
  );
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  return { child, url: `http://127.0.0.1:${port}`, output, exited };
};

/** Polls /api/status until it answers 204; fails if the process exits first or `timeoutMs` passes. */
export const waitReady = async (instance: GatehouseProcess, timeoutMs = 60_000) => {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void instance.exited.then(() => {
    exited = true;
  });
  while (Date.now() < deadline && !exited) {
    try {
      const response = await fetch(`${instance.url}/api/status`);
      if (response.status === 204) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`Gatehouse did not become ready:\n${instance.output()}`);
};

/**
 * Waits until the process has written a line matching `pattern`. Logs reach the pipe asynchronously, so a line
 * written before the server answered may still be on its way when the answer arrives.
 */
export const waitForOutput = async (instance: GatehouseProcess, pattern: RegExp, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(instance.output())) {
    if (Date.now() > deadline) throw new Error(`no output matching ${pattern}:\n${instance.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

export const stopGatehouse = async (instance: GatehouseProcess) => {
  if (instance.child.exitCode === null && instance.child.signalCode === null) instance.child.kill('SIGTERM');
  return instance.exited;
};
