// Benchmark runner: starts Gatehouse and reference servers on 127.0.0.1 as child processes, loads them
// with autocannon for a bounded time, and prints medians plus a Gatehouse/reference ratio per scenario.
// The ratio is the number to watch: absolute req/s depend on the machine, the ratio much less.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const root = path.resolve(import.meta.dirname, '..');
const HOST = '127.0.0.1';

// ---------------------------------------------------------------------------------------------
// Scenarios. Each compares a request to Gatehouse (subject) with the same kind of request to a
// minimal server (reference). Add entries here; add a target below if it needs another server.
// ---------------------------------------------------------------------------------------------

type TargetName = 'gatehouse' | 'baseline';

type Side = {
  target: TargetName;
  method?: autocannon.Options['method'];
  path: string;
  headers?: Record<string, string>;
  body?: string;
};

type Scenario = { name: string; subject: Side; reference: Side };

const scenarios: Scenario[] = [
  {
    name: 'GET /api/status',
    subject: { target: 'gatehouse', path: '/api/status' },
    reference: { target: 'baseline', path: '/api/status' },
  },
];

// ---------------------------------------------------------------------------------------------
// Options: argv wins over env, env over defaults.
// ---------------------------------------------------------------------------------------------

type Options = {
  duration: number;
  runs: number;
  connections: number;
  warmup: number;
  database: 'pglite' | 'postgres';
  databaseUrl: string;
};

const usage = `Usage: npm run bench -- [--duration S] [--runs N] [--connections C] [--warmup S] [--database pglite|postgres]
Env: BENCH_DURATION, BENCH_RUNS, BENCH_CONNECTIONS, BENCH_WARMUP, BENCH_DATABASE,
     BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test)`;

const parseOptions = (argv: string[], env: NodeJS.ProcessEnv): Options => {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string' },
      runs: { type: 'string' },
      connections: { type: 'string' },
      warmup: { type: 'string' },
      database: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const int = (name: string, raw: string | undefined, fallback: number, min: number) => {
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be a whole number ≥ ${min}`);
    return value;
  };
  const database = values.database ?? env.BENCH_DATABASE ?? 'pglite';
  if (database !== 'pglite' && database !== 'postgres')
    throw new Error('--database must be pglite or postgres');
  const databaseUrl = env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
  // The benchmark must not cause traffic beyond this machine, the database included.
  if (
    database === 'postgres' &&
    !['127.0.0.1', 'localhost', '[::1]'].includes(new URL(databaseUrl).hostname)
  ) {
    throw new Error('BENCH_DATABASE_URL must point at a loopback address');
  }
  return {
    duration: int('duration', values.duration ?? env.BENCH_DURATION, 5, 1),
    runs: int('runs', values.runs ?? env.BENCH_RUNS, 3, 1),
    connections: int('connections', values.connections ?? env.BENCH_CONNECTIONS, 10, 1),
    warmup: int('warmup', values.warmup ?? env.BENCH_WARMUP, 1, 0),
    database,
    databaseUrl,
  };
};

// ---------------------------------------------------------------------------------------------
// Child processes.
// ---------------------------------------------------------------------------------------------

type Server = {
  target: TargetName;
  child: ChildProcess;
  pid: number;
  url: string;
  /** Last lines the process printed, for error messages. */
  output: () => string;
  /** Resolves with the exit code or signal name. */
  exited: Promise<number | string>;
};

/** Every child we spawned, so cleanup can stop them whatever went wrong. */
const children = new Set<Server>();

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

const running = (server: Server) => server.child.exitCode === null && server.child.signalCode === null;

/** Runs `node --import tsx <script>` from the repo root, then polls GET /api/status until it answers 204. */
const startServer = async (target: TargetName, script: string, env: Record<string, string>) => {
  const port = await freePort();
  // A minimal environment, so a DATABASE_URL or PORT in the caller's shell cannot change what is measured.
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOST, PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + String(chunk)).slice(-8000); // keep the tail; the pipes must be drained anyway
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const server: Server = {
    target,
    child,
    pid: child.pid ?? 0,
    url: `http://${HOST}:${port}`,
    output: () => output,
    exited: once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string),
  };
  children.add(server);

  // First PGlite start (initdb + migrations) takes ~10 s on a slow machine, hence the generous deadline.
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && running(server)) {
    try {
      const response = await fetch(`${server.url}/api/status`, { signal: AbortSignal.timeout(2000) });
      if (response.status === 204) return server;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${target} did not become ready on ${server.url}:\n${server.output()}`);
};

/** SIGTERM lets Gatehouse drain and close its database; SIGKILL only if it hangs. */
const stopServer = async (server: Server) => {
  if (running(server)) server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 15_000);
  const code = await server.exited;
  clearTimeout(timer);
  children.delete(server);
  return code;
};

type Context = { options: Options; dataDir: string };

/** How to start each target. A scenario against a new kind of server adds an entry here. */
const targets: Record<TargetName, (context: Context) => Promise<Server>> = {
  gatehouse: ({ options, dataDir }) =>
    startServer('gatehouse', 'packages/server/src/main.ts', {
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'development',
      // A fixed key, so development mode does not generate one into DATA_DIR and warn about it.
      SECRET_VAULT_KEK: randomBytes(32).toString('base64'),
      ...(options.database === 'postgres' ? { DATABASE_URL: options.databaseUrl } : {}),
    }),
  baseline: () => startServer('baseline', 'bench/baseline-status.ts', {}),
};

// ---------------------------------------------------------------------------------------------
// Memory: read from /proc (Linux only; elsewhere the columns say n/a).
// ---------------------------------------------------------------------------------------------

const procStatus = async (pid: number, field: 'VmRSS' | 'VmHWM') => {
  try {
    const text = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
};

/** Resets VmHWM so the peak we report covers the load, not start-up (migrations, initdb). */
const resetPeak = async (pid: number) => {
  try {
    await writeFile(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
};

// ---------------------------------------------------------------------------------------------
// Measurement.
// ---------------------------------------------------------------------------------------------

type Run = {
  reqPerSec: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  codes: Record<string, number>;
};

const load = async (server: Server, side: Side, seconds: number, connections: number): Promise<Run> => {
  const url = new URL(side.path, server.url);
  if (url.hostname !== HOST) throw new Error(`refusing to load ${url.href}: only ${HOST} is allowed`);
  const result = await autocannon({
    url: url.href,
    method: side.method ?? 'GET',
    headers: side.headers,
    body: side.body,
    duration: seconds,
    connections,
  });
  const codes = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, stats.count ?? 0]),
  );
  return {
    reqPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
    codes,
  };
};

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

// ---------------------------------------------------------------------------------------------
// Output.
// ---------------------------------------------------------------------------------------------

/** Plain-text table: first column left-aligned, the rest (numbers) right-aligned. */
const table = (rows: string[][]) => {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) =>
          column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
};

/** Status code counts summed over the runs, e.g. `204×5000 503×2`. */
const statusCodes = (runs: Run[]) => {
  const totals: Record<string, number> = {};
  for (const run of runs) {
    for (const [code, count] of Object.entries(run.codes)) totals[code] = (totals[code] ?? 0) + count;
  }
  return Object.entries(totals)
    .map(([code, count]) => `${code}×${count}`)
    .join(' ');
};

/** autocannon records latency in whole milliseconds, so 0 means "under 1 ms". */
const ms = (value: number) => (value === 0 ? '<1' : value.toFixed(1));

const fixed = (value: number | undefined, digits: number) =>
  value === undefined ? 'n/a' : value.toFixed(digits);

// ---------------------------------------------------------------------------------------------
// Main.
// ---------------------------------------------------------------------------------------------

let dataDir: string | undefined;
let cleaning: Promise<void> | undefined;
const cleanup = () => {
  cleaning ??= (async () => {
    await Promise.all([...children].map(stopServer));
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  })();
  return cleaning;
};

// Ctrl-C or a kill: stop the servers and remove the data folder before leaving.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping servers`);
    void cleanup().finally(() => process.exit(130));
  });
}
// Last resort if we exit some other way (a crash): never leave a server behind.
process.on('exit', () => {
  for (const server of children) server.child.kill('SIGKILL');
});

const main = async () => {
  const options = parseOptions(process.argv.slice(2), process.env);
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'gatehouse-bench-'));

  const cpus = os.cpus();
  console.log(
    `Gatehouse benchmark — node ${process.version}, ${os.availableParallelism()} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ${process.platform} ${process.arch}`,
  );
  console.log(
    `database: ${options.database === 'postgres' ? `postgres (${options.databaseUrl})` : 'pglite (fresh temp DATA_DIR)'}; ` +
      `${options.runs} runs × ${options.duration} s per side, ${options.connections} connections, ${options.warmup} s warm-up`,
  );
  // autocannon runs in this process and competes for the same cores as the servers.
  console.log('Load generator shares the machine: compare ratios, not absolute req/s, across machines.');
  console.log('Latency: autocannon records whole milliseconds; <1 means under a millisecond.\n');

  // Start only the servers some scenario needs, once, and keep them for every scenario.
  const needed = [...new Set(scenarios.flatMap((s) => [s.subject.target, s.reference.target]))];
  const servers = new Map<TargetName, Server>();
  for (const name of needed) servers.set(name, await targets[name]({ options, dataDir }));
  const serverFor = (target: TargetName) => {
    const server = servers.get(target);
    if (!server) throw new Error(`no server for ${target}`);
    return server;
  };

  // Let start-up garbage settle before calling the memory "idle".
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const idle = new Map<TargetName, number | undefined>();
  const peakReset = new Map<TargetName, boolean>();
  for (const [name, server] of servers) {
    idle.set(name, await procStatus(server.pid, 'VmRSS'));
    peakReset.set(name, await resetPeak(server.pid));
  }

  let failures = 0;
  for (const scenario of scenarios) {
    const subject = { side: scenario.subject, runs: [] as Run[] };
    const reference = { side: scenario.reference, runs: [] as Run[] };
    const sides = [subject, reference];
    // Warm-up is not counted: it lets the JIT and connection pools reach steady state.
    if (options.warmup > 0) {
      for (const { side } of sides)
        await load(serverFor(side.target), side, options.warmup, options.connections);
    }
    // Alternate A, B, A, B… so slow drift on the machine hits both sides alike.
    for (let i = 0; i < options.runs; i++) {
      for (const { side, runs } of sides) {
        const run = await load(serverFor(side.target), side, options.duration, options.connections);
        runs.push(run);
        process.stderr.write(
          `  ${scenario.name} · ${side.target} run ${i + 1}/${options.runs}: ${run.reqPerSec.toFixed(0)} req/s\n`,
        );
      }
    }

    const rows = [['target', 'req/s', 'min..max', 'p50 ms', 'p99 ms', 'errors', 'non-2xx', 'status codes']];
    for (const { side, runs } of sides) {
      const rps = runs.map((r) => r.reqPerSec);
      const errors = runs.reduce((sum, r) => sum + r.errors, 0);
      const non2xx = runs.reduce((sum, r) => sum + r.non2xx, 0);
      if (errors || non2xx) failures++;
      rows.push([
        `${side.target} ${side.method ?? 'GET'} ${side.path}`,
        fixed(median(rps), 0),
        `${fixed(Math.min(...rps), 0)}..${fixed(Math.max(...rps), 0)}`,
        ms(median(runs.map((r) => r.p50))),
        ms(median(runs.map((r) => r.p99))),
        String(errors),
        String(non2xx),
        statusCodes(runs),
      ]);
    }
    const ratio =
      median(subject.runs.map((r) => r.reqPerSec)) / median(reference.runs.map((r) => r.reqPerSec));
    // Adjacent runs ran under the same machine conditions, so each pair's ratio is a separate sample.
    const pairs = subject.runs.map((r, i) => r.reqPerSec / (reference.runs[i]?.reqPerSec ?? Number.NaN));
    console.log(`Scenario: ${scenario.name}`);
    console.log(table(rows));
    console.log(
      `ratio ${scenario.subject.target}/${scenario.reference.target} req/s: ${ratio.toFixed(3)}` +
        ` (median of per-run pairs ${median(pairs).toFixed(3)}: ${pairs.map((p) => p.toFixed(3)).join(' ')})\n`,
    );
  }

  const memoryRows = [['server', 'pid', 'idle RSS MB', 'peak RSS MB', 'RSS after MB']];
  for (const [name, server] of servers) {
    memoryRows.push([
      name,
      String(server.pid),
      fixed(idle.get(name), 1),
      // Without the reset, VmHWM is the peak since start (start-up included): mark it.
      `${fixed(await procStatus(server.pid, 'VmHWM'), 1)}${peakReset.get(name) ? '' : '*'}`,
      fixed(await procStatus(server.pid, 'VmRSS'), 1),
    ]);
  }
  console.log('Memory (peak = high-water mark during the runs; * = since process start)');
  console.log(table(memoryRows));

  for (const server of servers.values()) {
    if (!running(server)) {
      failures++;
      console.error(`${server.target} exited during the benchmark:\n${server.output()}`);
    }
  }
  if (failures) {
    console.error(
      `\nFAILED: ${failures} problem(s) — errors, non-2xx responses or a crashed server (see above).`,
    );
  }
  return failures ? 1 : 0;
};

let exitCode = 1;
try {
  exitCode = await main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
} finally {
  await cleanup();
}
process.exit(exitCode);
