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
import pg from 'pg';

const root = path.resolve(import.meta.dirname, '..');
const HOST = '127.0.0.1';

// ---------------------------------------------------------------------------------------------
// Scenarios. Each compares a request to Gatehouse (subject) with the same kind of request to a
// minimal server (reference). Add entries here; add a target below if it needs another server.
// ---------------------------------------------------------------------------------------------

type TargetName = 'gatehouse' | 'baseline' | 'bare-oidc';

type Side = {
  target: TargetName;
  method?: autocannon.Options['method'];
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /**
   * Checked once on a single request before any load (after the status is found to be 2xx): returns what is
   * wrong with the answer, or undefined. Keeps a scenario from timing a cheaper answer than it means to.
   */
  check?: (body: string) => string | undefined;
};

type Scenario = { name: string; subject: Side; reference: Side };

/**
 * The machine-to-machine client both OIDC servers know: Gatehouse ensures it at start from
 * GATEHOUSE_ADMIN_CLIENT_ID/_SECRET (with a role granting `all` on the Management API), the bare provider
 * declares it statically. A fresh 256-bit secret per run, base64url (43 characters).
 */
const benchClient = { id: 'bench-admin', secret: randomBytes(32).toString('base64url') };
const managementResource = 'urn:gatehouse:management';

/** A client-credentials answer must be an ES256 JWT access token for the resource, with scope `all`. */
const checkTokenResponse = (text: string): string | undefined => {
  let body: { access_token?: unknown; token_type?: unknown; scope?: unknown };
  try {
    body = JSON.parse(text);
  } catch {
    return 'the body is not JSON';
  }
  if (typeof body.access_token !== 'string') return 'no access_token';
  if (body.scope !== 'all') return `scope is ${JSON.stringify(body.scope)}, expected "all"`;
  const [header, payload] = body.access_token
    .split('.')
    .slice(0, 2)
    .map((part) => {
      try {
        return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
      } catch {
        return undefined;
      }
    });
  if (!header || !payload) return 'the access token is not a JWT';
  if (header.alg !== 'ES256' || header.typ !== 'at+jwt')
    return `token header is ${JSON.stringify(header)}, expected alg ES256, typ at+jwt`;
  if (payload.aud !== managementResource) return `token aud is ${JSON.stringify(payload.aud)}`;
  return undefined;
};

const tokenRequest = (target: TargetName): Side => ({
  target,
  method: 'POST',
  path: '/oidc/token',
  headers: {
    authorization: `Basic ${Buffer.from(`${benchClient.id}:${benchClient.secret}`).toString('base64')}`,
    'content-type': 'application/x-www-form-urlencoded',
  },
  body: new URLSearchParams({
    grant_type: 'client_credentials',
    resource: managementResource,
    scope: 'all',
  }).toString(),
  check: checkTokenResponse,
});

const jsonWith =
  (key: string) =>
  (text: string): string | undefined => {
    try {
      return key in JSON.parse(text) ? undefined : `the JSON body has no "${key}"`;
    } catch {
      return 'the body is not JSON';
    }
  };

const scenarios: Scenario[] = [
  {
    name: 'GET /api/status',
    subject: { target: 'gatehouse', path: '/api/status' },
    reference: { target: 'baseline', path: '/api/status' },
  },
  // OIDC core: Gatehouse against a bare oidc-provider configured the same way (bench/bare-oidc-provider.ts).
  {
    name: 'GET /oidc/.well-known/openid-configuration (discovery)',
    subject: {
      target: 'gatehouse',
      path: '/oidc/.well-known/openid-configuration',
      check: jsonWith('issuer'),
    },
    reference: {
      target: 'bare-oidc',
      path: '/oidc/.well-known/openid-configuration',
      check: jsonWith('issuer'),
    },
  },
  {
    name: 'GET /oidc/jwks',
    subject: { target: 'gatehouse', path: '/oidc/jwks', check: jsonWith('keys') },
    reference: { target: 'bare-oidc', path: '/oidc/jwks', check: jsonWith('keys') },
  },
  {
    name: 'POST /oidc/token (client_credentials, ES256 JWT)',
    subject: tokenRequest('gatehouse'),
    reference: tokenRequest('bare-oidc'),
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
  /** Scenarios whose name contains any of these (case-insensitive); empty: all. */
  only: string[];
  /** When set, every server runs with `--cpu-prof` and writes its profiles to `<dir>/<target>/` on exit. */
  cpuProfDir: string | undefined;
};

const usage = `Usage: npm run bench -- [--duration S] [--runs N] [--connections C] [--warmup S] [--database pglite|postgres]
                        [--only TEXT]... [--cpu-prof DIR]
  --only TEXT     run only scenarios whose name contains TEXT (case-insensitive; repeatable, comma-separated)
  --cpu-prof DIR  run every server with node --cpu-prof; profiles go to DIR/<target>/ when it stops, one per
                  thread: the main thread's is CPU.*.<pid>.0.*.cpuprofile (tsx's loader thread writes another)
                  Summarise with bench/cpuprofile-summary.ts. Profiling slows the servers: ratios not comparable.
Env: BENCH_DURATION, BENCH_RUNS, BENCH_CONNECTIONS, BENCH_WARMUP, BENCH_DATABASE, BENCH_ONLY, BENCH_CPU_PROF,
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
      only: { type: 'string', multiple: true },
      'cpu-prof': { type: 'string' },
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
    only: (values.only ?? (env.BENCH_ONLY ? [env.BENCH_ONLY] : []))
      .flatMap((text) => text.split(','))
      .map((text) => text.trim().toLowerCase())
      .filter(Boolean),
    cpuProfDir: (values['cpu-prof'] ?? env.BENCH_CPU_PROF) || undefined,
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
  /** Set when the runner stops it, so an exit before that is reported as a death. */
  stopping: boolean;
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

/** Set from --cpu-prof: extra Node flags for every child. */
let profileFlags: (target: TargetName) => string[] = () => [];

/**
 * Runs `node --import tsx <script>` from the repo root, then polls GET /api/status until it answers 204.
 * The child gets HOST, PORT and ENDPOINT (`http://127.0.0.1:<port>`, its public base URL) besides `env`.
 */
const startServer = async (target: TargetName, script: string, env: Record<string, string>) => {
  const port = await freePort();
  const endpoint = `http://${HOST}:${port}`;
  // A minimal environment, so a DATABASE_URL or PORT in the caller's shell cannot change what is measured.
  const child = spawn(process.execPath, [...profileFlags(target), '--import', 'tsx', script], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOST, PORT: String(port), ENDPOINT: endpoint, ...env },
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
    url: endpoint,
    output: () => output,
    exited: once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string),
    stopping: false,
  };
  children.add(server);
  // Say at once when a server dies under load, with how it ended (a signal points outside the server).
  void server.exited.then((how) => {
    if (!server.stopping)
      process.stderr.write(
        `\n${target} (pid ${server.pid}) exited with ${how} at ${new Date().toISOString()}\n`,
      );
  });

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
  server.stopping = true;
  if (running(server)) server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 15_000);
  const code = await server.exited;
  clearTimeout(timer);
  children.delete(server);
  return code;
};

/** `databaseUrl`: the fresh database Gatehouse runs on (postgres only). */
type Context = { options: Options; dataDir: string; databaseUrl: string | undefined };

/** How to start each target. A scenario against a new kind of server adds an entry here. */
const targets: Record<TargetName, (context: Context) => Promise<Server>> = {
  gatehouse: ({ dataDir, databaseUrl }) =>
    startServer('gatehouse', 'packages/server/src/main.ts', {
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'development',
      // A fixed key, so development mode does not generate one into DATA_DIR and warn about it.
      SECRET_VAULT_KEK: randomBytes(32).toString('base64'),
      // Ensured at start: a machine-to-machine app whose role grants `all` on the Management API resource.
      GATEHOUSE_ADMIN_CLIENT_ID: benchClient.id,
      GATEHOUSE_ADMIN_CLIENT_SECRET: benchClient.secret,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    }),
  baseline: () => startServer('baseline', 'bench/baseline-status.ts', {}),
  'bare-oidc': () =>
    startServer('bare-oidc', 'bench/bare-oidc-provider.ts', {
      BENCH_CLIENT_ID: benchClient.id,
      BENCH_CLIENT_SECRET: benchClient.secret,
    }),
};

// ---------------------------------------------------------------------------------------------
// PostgreSQL: a fresh database per run, created on the server of BENCH_DATABASE_URL and dropped at the end,
// as PGlite gets a fresh DATA_DIR. Reusing one database would not work: Gatehouse seals its signing keys
// under SECRET_VAULT_KEK, which is random per run, and a later run could not open them.
// ---------------------------------------------------------------------------------------------

const createBenchDatabase = async (adminUrl: string) => {
  const name = `gatehouse_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
};

const dropBenchDatabase = async (adminUrl: string, name: string) => {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
  } finally {
    await admin.end();
  }
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
  /** CPU time the server process (all its threads) used per answered request, in µs; undefined off Linux. */
  cpuPerRequest: number | undefined;
};

/**
 * CPU time a process has used so far (user + system, all threads), in µs, from /proc/<pid>/stat; undefined
 * where that does not exist. The kernel reports it in USER_HZ ticks, which Linux fixes at 100 per second.
 */
const cpuTime = async (pid: number) => {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which is in parentheses and may contain spaces): utime is the 14th field
    // overall, the 12th after the name; stime follows.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10_000 : undefined;
  } catch {
    return undefined;
  }
};

const load = async (server: Server, side: Side, seconds: number, connections: number): Promise<Run> => {
  const url = new URL(side.path, server.url);
  if (url.hostname !== HOST) throw new Error(`refusing to load ${url.href}: only ${HOST} is allowed`);
  const cpuBefore = await cpuTime(server.pid);
  const result = await autocannon({
    url: url.href,
    method: side.method ?? 'GET',
    headers: side.headers,
    body: side.body,
    duration: seconds,
    connections,
  });
  const cpuAfter = await cpuTime(server.pid);
  const codes = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, stats.count ?? 0]),
  );
  const answered = Object.values(codes).reduce((sum, count) => sum + count, 0);
  return {
    cpuPerRequest:
      cpuBefore !== undefined && cpuAfter !== undefined && answered > 0
        ? (cpuAfter - cpuBefore) / answered
        : undefined,
    reqPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
    codes,
  };
};

/**
 * One request per side before any load: it must answer 2xx and pass the side's check, or the benchmark stops
 * here with the answer printed (a misconfigured server would otherwise be timed answering errors quickly).
 */
const preflight = async (server: Server, side: Side) => {
  const url = new URL(side.path, server.url);
  if (url.hostname !== HOST) throw new Error(`refusing to request ${url.href}: only ${HOST} is allowed`);
  const response = await fetch(url, {
    method: side.method ?? 'GET',
    headers: side.headers,
    body: side.body,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  const problem =
    response.status >= 200 && response.status < 300
      ? side.check?.(text)
      : `status ${response.status}, expected 2xx`;
  if (problem) {
    throw new Error(
      `preflight ${side.target} ${side.method ?? 'GET'} ${side.path} failed: ${problem}\n` +
        `response body: ${text.slice(0, 2000)}\n--- last output of ${side.target} ---\n${server.output()}`,
    );
  }
};

/** Median CPU µs per request over runs, or undefined when it could not be measured. */
const medianCpu = (runs: Run[]) => {
  const values = runs.map((r) => r.cpuPerRequest).filter((v): v is number => v !== undefined);
  return values.length ? median(values) : undefined;
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

/**
 * Other work on the machine (a test suite, a build) skews both sides and, on few cores, the ratio too: the
 * side that needs more CPU loses more. Print the load average so a reader can tell a quiet run from a busy one.
 */
const reportLoad = (when: 'before' | 'after') => {
  const [one, five] = os.loadavg();
  const cores = os.availableParallelism();
  // Before: anything above half the cores is other work. After: the benchmark's own load is in the figure.
  const note =
    when === 'after'
      ? ' (includes the benchmark itself)'
      : (one ?? 0) > cores / 2
        ? ' — the machine is busy with other work: numbers are unreliable'
        : '';
  console.log(
    `load average ${when}: ${fixed(one, 2)} (1 min), ${fixed(five, 2)} (5 min) on ${cores} cores${note}`,
  );
};

// ---------------------------------------------------------------------------------------------
// Main.
// ---------------------------------------------------------------------------------------------

let dataDir: string | undefined;
let benchDatabase: { adminUrl: string; name: string } | undefined;
let cleaning: Promise<void> | undefined;
const cleanup = () => {
  cleaning ??= (async () => {
    await Promise.all([...children].map(stopServer));
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    if (benchDatabase) {
      const { adminUrl, name } = benchDatabase;
      await dropBenchDatabase(adminUrl, name).catch((error: unknown) =>
        console.error(`could not drop database ${name}: ${error instanceof Error ? error.message : error}`),
      );
    }
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
  const selected = options.only.length
    ? scenarios.filter((s) => options.only.some((text) => s.name.toLowerCase().includes(text)))
    : scenarios;
  if (selected.length === 0) throw new Error(`no scenario matches --only ${options.only.join(', ')}`);
  const { cpuProfDir } = options;
  if (cpuProfDir) {
    const dir = path.resolve(cpuProfDir);
    // No --cpu-prof-name: every thread writes a profile, and one name would let tsx's loader thread
    // overwrite the main thread's. Node's default names carry the pid and thread id.
    profileFlags = (target) => ['--cpu-prof', `--cpu-prof-dir=${path.join(dir, target)}`];
  }
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'gatehouse-bench-'));
  let databaseUrl: string | undefined;
  if (options.database === 'postgres') {
    const created = await createBenchDatabase(options.databaseUrl);
    benchDatabase = { adminUrl: options.databaseUrl, name: created.name };
    databaseUrl = created.url;
  }

  const cpus = os.cpus();
  console.log(
    `Gatehouse benchmark — node ${process.version}, ${os.availableParallelism()} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ${process.platform} ${process.arch}`,
  );
  console.log(
    `database: ${benchDatabase ? `postgres (fresh database ${benchDatabase.name} on ${options.databaseUrl})` : 'pglite (fresh temp DATA_DIR)'}; ` +
      `${options.runs} runs × ${options.duration} s per side, ${options.connections} connections, ${options.warmup} s warm-up`,
  );
  // autocannon runs in this process and competes for the same cores as the servers.
  console.log('Load generator shares the machine: compare ratios, not absolute req/s, across machines.');
  reportLoad('before');
  console.log('Latency: autocannon records whole milliseconds; <1 means under a millisecond.');
  if (cpuProfDir)
    console.log(`CPU profiling on (written to ${path.resolve(cpuProfDir)}): ratios are not comparable.`);
  console.log('');

  // Start only the servers some scenario needs, once, and keep them for every scenario.
  const needed = [...new Set(selected.flatMap((s) => [s.subject.target, s.reference.target]))];
  const servers = new Map<TargetName, Server>();
  for (const name of needed) servers.set(name, await targets[name]({ options, dataDir, databaseUrl }));
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

  // Every side answers correctly once before anything is timed.
  for (const scenario of selected) {
    for (const side of [scenario.subject, scenario.reference]) await preflight(serverFor(side.target), side);
  }

  let failures = 0;
  for (const scenario of selected) {
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

    const rows = [
      ['target', 'req/s', 'min..max', 'p50 ms', 'p99 ms', 'CPU µs/req', 'errors', 'non-2xx', 'status codes'],
    ];
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
        fixed(medianCpu(runs), 0),
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
        ` (median of per-run pairs ${median(pairs).toFixed(3)}: ${pairs.map((p) => p.toFixed(3)).join(' ')})`,
    );
    // CPU per request hardly depends on what else the machine does, so this ratio holds when req/s is noisy:
    // it is the req/s ratio to expect when both servers are CPU-bound. It leaves out the database's own CPU.
    const subjectCpu = medianCpu(subject.runs);
    const referenceCpu = medianCpu(reference.runs);
    if (subjectCpu !== undefined && referenceCpu !== undefined) {
      console.log(
        `ratio ${scenario.reference.target}/${scenario.subject.target} CPU per request: ${(referenceCpu / subjectCpu).toFixed(3)}` +
          ` (${referenceCpu.toFixed(0)} µs vs ${subjectCpu.toFixed(0)} µs of server CPU per request)`,
      );
    }
    console.log('');
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
  reportLoad('after');
  console.log('Memory (peak = high-water mark during the runs; * = since process start)');
  console.log(table(memoryRows));

  for (const server of servers.values()) {
    if (!running(server)) {
      failures++;
      console.error(
        `${server.target} exited during the benchmark with ${await server.exited}:\n${server.output()}`,
      );
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
