// A minimal web app signed in through Gatehouse with the official Logto SDK (@logto/node), unchanged but its
// endpoint. Run: GATEHOUSE_ENDPOINT=http://localhost:3001 APP_ID=… APP_SECRET=… node examples/sample-app.mjs
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import LogtoClient from '@logto/node';

const endpoint = process.env.GATEHOUSE_ENDPOINT ?? 'http://localhost:3001';
const appId = process.env.APP_ID;
const appSecret = process.env.APP_SECRET;
const port = Number(process.env.PORT ?? 3000);
const base = `http://localhost:${port}`;
if (!appId || !appSecret) {
  console.error('Set APP_ID and APP_SECRET (from POST /api/applications).');
  process.exit(1);
}

// One SDK storage per browser session, kept in memory and found by a cookie (a real app would use its session store).
const sessions = new Map();
const storageFor = (request, response) => {
  let id = /(?:^|;\s*)sid=([\w-]+)/.exec(request.headers.cookie ?? '')?.[1];
  if (!id || !sessions.has(id)) {
    id = randomBytes(16).toString('base64url');
    sessions.set(id, new Map());
    response.setHeader('Set-Cookie', `sid=${id}; HttpOnly; SameSite=Lax; Path=/`);
  }
  const store = sessions.get(id);
  return {
    getItem: async (key) => store.get(key) ?? null,
    setItem: async (key, value) => {
      store.set(key, value);
    },
    removeItem: async (key) => {
      store.delete(key);
    },
  };
};

createServer(async (request, response) => {
  const url = new URL(request.url ?? '/', base);
  let redirectTo;
  const logto = new LogtoClient(
    { endpoint, appId, appSecret, scopes: ['email', 'profile'] },
    {
      navigate: (to) => {
        redirectTo = to;
      },
      storage: storageFor(request, response),
    },
  );
  const redirect = (to) => {
    response.writeHead(302, { Location: to });
    response.end();
  };
  try {
    if (url.pathname === '/sign-in') {
      await logto.signIn(`${base}/callback`);
      return redirect(redirectTo);
    }
    if (url.pathname === '/sign-up') {
      await logto.signIn({ redirectUri: `${base}/callback`, interactionMode: 'signUp' });
      return redirect(redirectTo);
    }
    if (url.pathname === '/callback') {
      await logto.handleSignInCallback(url.toString());
      return redirect('/');
    }
    if (url.pathname === '/sign-out') {
      await logto.signOut(base);
      return redirect(redirectTo);
    }
    const signedIn = await logto.isAuthenticated();
    const claims = signedIn ? await logto.getIdTokenClaims() : undefined;
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end(
      signedIn
        ? `<h1>Hello, ${String(claims.username ?? claims.email ?? claims.sub).replace(/[<>&"]/g, '')}</h1><pre>${JSON.stringify(claims, null, 2).replace(/[<>&]/g, '')}</pre><a href="/sign-out">Sign out</a>`
        : '<h1>Bookstore</h1><a href="/sign-in">Sign in</a> · <a href="/sign-up">Create an account</a>',
    );
  } catch (error) {
    response.writeHead(500, { 'Content-Type': 'text/plain' });
    response.end(`Sign-in failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}).listen(port, () => console.log(`Sample app on ${base}`));
