// Login benchmark (issue: users and the hosted sign-in experience). In one run, on this machine:
//  1. the raw argon2id verify rate (m=19456 KiB, t=2, p=1) with as many verifications in flight as Gatehouse's
//     hasher allows (cores − 1), measured in a child process for the same duration;
//  2. complete logins per second at 8 concurrent users against Gatehouse on 127.0.0.1:
//     /oidc/auth → /sign-in (GET, CSRF token) → POST /sign-in → 303 resume → code → POST /oidc/token;
//  3. the client_credentials token endpoint's p50/p99 alone, then while 64 concurrent users flood the login form
//     (the flood must be shed with 429 while the token endpoint holds), measured from a separate process.
// Ratio to watch: logins/s ÷ verifications/s (target ≥ 0.9: the hash is the only real cost).
// Usage: node --import tsx bench/logins.ts [--duration 10] [--database pglite|postgres]
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';

const root = path.resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: { duration: { type: 'string', default: '10' }, database: { type: 'string', default: 'pglite' } },
});
const durationMs = Number(args.duration) * 1000;
const children: ChildProcess[] = [];
const cleanup = () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
};
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

/** 1. Raw argon2id verify throughput with as many in flight as Gatehouse's hasher allows, in its own process. */
const inFlight = Math.max(1, os.availableParallelism() - 1); // vault/passwords.ts's default

const argonRate = async (): Promise<number> => {
  const script = `
    import { hash, verify, Algorithm } from '@node-rs/argon2';
    const options = { algorithm: Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 };
    const phc = await hash('a long and memorable passphrase', options);
    let done = 0; const end = Date.now() + ${durationMs};
    const worker = async () => { while (Date.now() < end) { await verify(phc, 'a long and memorable passphrase'); done++; } };
    const started = Date.now(); await Promise.all(Array.from({ length: ${inFlight} }, worker));
    console.log(JSON.stringify({ rate: done / ((Date.now() - started) / 1000) }));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: path.join(root, 'packages/server'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (chunk) => {
    out += String(chunk);
  });
  await once(child, 'exit');
  return (JSON.parse(out) as { rate: number }).rate;
};

const startGatehouse = async () => {
  const port = await freePort();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'gatehouse-bench-logins-'));
  const admin = { id: 'bench-admin', secret: randomBytes(32).toString('base64url') };
  let databaseUrl: string | undefined;
  if (args.database === 'postgres') {
    const name = `gatehouse_bench_${randomBytes(4).toString('hex')}`;
    const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
    await client.connect();
    await client.query(`create database ${name}`);
    await client.end();
    databaseUrl = `postgres://postgres@127.0.0.1:5432/${name}`;
  }
  const child = spawn(process.execPath, ['--import', 'tsx', 'packages/server/src/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      ENDPOINT: `http://127.0.0.1:${port}`,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      SECRET_VAULT_KEK: randomBytes(32).toString('base64'),
      GATEHOUSE_ADMIN_CLIENT_ID: admin.id,
      GATEHOUSE_ADMIN_CLIENT_SECRET: admin.secret,
      // The per-IP throttle (30 sign-in POSTs a minute) applies per client address: the bench presents a
      // different X-Forwarded-For per simulated user, believed from loopback only.
      TRUST_PROXY: 'loopback',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${url}/api/status`)).status === 204) break;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    admin,
    pid: child.pid,
    stop: async () => {
      child.kill('SIGTERM');
      await once(child, 'exit');
      await rm(dataDir, { recursive: true, force: true });
    },
  };
};

type Gatehouse = Awaited<ReturnType<typeof startGatehouse>>;

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

const setUp = async (g: Gatehouse, users: number) => {
  const tokenResponse = await fetch(`${g.url}/oidc/token`, {
    method: 'POST',
    headers: {
      authorization: basic(g.admin.id, g.admin.secret),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials&resource=urn:gatehouse:management&scope=all',
  });
  const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const app = (await (
    await fetch(`${g.url}/api/applications`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        name: 'bench',
        type: 'Traditional',
        oidcClientMetadata: { redirectUris: ['http://127.0.0.1:9/cb'], postLogoutRedirectUris: [] },
      }),
    })
  ).json()) as { id: string; secret: string };
  for (let i = 0; i < users; i++) {
    const response = await fetch(`${g.url}/api/users`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ username: `bench_user_${i}`, password: 'a long and memorable passphrase' }),
    });
    if (response.status !== 201) throw new Error(`user: ${response.status} ${await response.text()}`);
  }
  return app;
};

/** One complete login, as a browser would do it; answers the final status of the sign-in POST. */
const login = async (
  g: Gatehouse,
  app: { id: string; secret: string },
  username: string,
  ip: string,
): Promise<number> => {
  const jar = new Map<string, string>();
  const request = async (url: string, init: RequestInit = {}) => {
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: {
        ...(init.headers as Record<string, string>),
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
        'x-forwarded-for': ip,
      },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const index = pair.indexOf('=');
      jar.set(pair.slice(0, index), pair.slice(index + 1));
    }
    return response;
  };
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const auth = await request(
    `${g.url}/oidc/auth?${new URLSearchParams({ client_id: app.id, redirect_uri: 'http://127.0.0.1:9/cb', response_type: 'code', scope: 'openid', state: 's', code_challenge: challenge, code_challenge_method: 'S256' })}`,
  );
  const page = await request(new URL(auth.headers.get('location') ?? '', g.url).toString());
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const posted = await request(`${g.url}/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      _csrf: csrf,
      identifier: username,
      password: 'a long and memorable passphrase',
    }),
  });
  if (posted.status !== 303) {
    await posted.arrayBuffer();
    return posted.status;
  }
  const resumed = await request(new URL(posted.headers.get('location') ?? '', g.url).toString());
  const code = new URL(resumed.headers.get('location') ?? '', g.url).searchParams.get('code') ?? '';
  const token = await fetch(`${g.url}/oidc/token`, {
    method: 'POST',
    headers: {
      authorization: basic(app.id, app.secret),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: 'http://127.0.0.1:9/cb',
      code_verifier: verifier,
    }),
  });
  await token.arrayBuffer();
  return token.status === 200 ? 200 : token.status;
};

const runLogins = async (
  g: Gatehouse,
  app: { id: string; secret: string },
  concurrency: number,
  forMs: number,
) => {
  const statuses = new Map<number, number>();
  let completed = 0;
  const end = Date.now() + forMs;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      let n = 0;
      while (Date.now() < end) {
        const status = await login(
          g,
          app,
          `bench_user_${worker % 8}`,
          `10.${worker}.${n % 250}.${(n++ >> 8) % 250}`,
        ).catch(() => -1);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status === 200) completed++;
      }
    }),
  );
  return { rate: completed / ((Date.now() - started) / 1000), statuses };
};

/**
 * The client_credentials token endpoint's latencies, measured from a process of its own: in this process the
 * flood's 64 clients would delay the measuring client's own event loop and inflate what it reports.
 */
const tokenLatencies = async (g: Gatehouse, forMs: number) => {
  const script = `
    const latencies = []; const end = Date.now() + ${forMs};
    const authorization = ${JSON.stringify(basic(g.admin.id, g.admin.secret))};
    while (Date.now() < end) {
      const started = performance.now();
      const response = await fetch(${JSON.stringify(`${g.url}/oidc/token`)}, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials&resource=urn:gatehouse:management&scope=all',
      });
      await response.arrayBuffer();
      if (response.status === 200) latencies.push(performance.now() - started);
    }
    console.log(JSON.stringify(latencies));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (chunk) => {
    out += String(chunk);
  });
  await once(child, 'exit');
  const latencies = JSON.parse(out) as number[];
  return { n: latencies.length, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
};

const main = async () => {
  console.log(
    `Login benchmark — node ${process.version}, ${os.availableParallelism()} cores, database ${args.database}, ${args.duration} s per measurement`,
  );
  const verifyRate = await argonRate();
  const g = await startGatehouse();
  try {
    const app = await setUp(g, 8);
    await runLogins(g, app, 8, 2_000); // warm-up
    const logins = await runLogins(g, app, 8, durationMs);
    const quiet = await tokenLatencies(g, durationMs / 2);
    const [flood, busy] = await Promise.all([
      runLogins(g, app, 64, durationMs / 2),
      tokenLatencies(g, durationMs / 2),
    ]);
    const fmt = (statuses: Map<number, number>) =>
      [...statuses].map(([status, count]) => `${status}×${count}`).join(' ');
    console.log('');
    console.log(`raw argon2id verify, ${inFlight} in flight        ${verifyRate.toFixed(1)} /s`);
    console.log(
      `complete logins, 8 concurrent users     ${logins.rate.toFixed(1)} /s   (${fmt(logins.statuses)})`,
    );
    console.log(
      `ratio logins / argon2id verifications   ${(logins.rate / verifyRate).toFixed(3)}   (target ≥ 0.9)`,
    );
    console.log('');
    console.log(
      `token endpoint alone                    p50 ${quiet.p50.toFixed(1)} ms  p99 ${quiet.p99.toFixed(1)} ms  (n=${quiet.n})`,
    );
    console.log(
      `token endpoint during a 64-user flood   p50 ${busy.p50.toFixed(1)} ms  p99 ${busy.p99.toFixed(1)} ms  (n=${busy.n})`,
    );
    console.log(`the flood's sign-in outcomes            ${fmt(flood.statuses)}   (429 = shed)`);
  } finally {
    await g.stop();
  }
};

await main();
