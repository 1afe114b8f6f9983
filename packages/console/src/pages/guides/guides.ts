/**
 * Integration guides (issue 7, "Applications"): for each framework, the exact code an app needs, with the app's own
 * values filled in. Plain functions (no React), so tests can check the values the code carries.
 *
 * Gatehouse speaks Logto's wire format, so the guides use the official Logto SDKs unchanged: `@logto/express`,
 * `@logto/next`, `logto` (Python), `@logto/react`, `@logto/vue`, `@logto/browser`, the Swift, Android and Flutter
 * SDKs. An app secret is never filled in: the server returns it once, so the guide shows a placeholder.
 */

import type { ApplicationType } from '../../api.ts';

export type FrameworkId =
  | 'express'
  | 'next'
  | 'flask'
  | 'react'
  | 'vue'
  | 'vanilla'
  | 'ios'
  | 'android'
  | 'flutter'
  | 'm2m-node'
  | 'm2m-python';

export type Framework = {
  id: FrameworkId;
  type: ApplicationType;
  name: string;
  /** The official SDK the guide uses (a package name, or a repository for the native SDKs). */
  sdk: string;
};

export const frameworks: readonly Framework[] = [
  { id: 'express', type: 'Traditional', name: 'Express (Node.js)', sdk: '@logto/express' },
  { id: 'next', type: 'Traditional', name: 'Next.js (App Router)', sdk: '@logto/next' },
  { id: 'flask', type: 'Traditional', name: 'Flask (Python)', sdk: 'logto' },
  { id: 'react', type: 'SPA', name: 'React', sdk: '@logto/react' },
  { id: 'vue', type: 'SPA', name: 'Vue', sdk: '@logto/vue' },
  { id: 'vanilla', type: 'SPA', name: 'Vanilla JS', sdk: '@logto/browser' },
  { id: 'ios', type: 'Native', name: 'iOS (Swift)', sdk: 'logto-io/swift' },
  { id: 'android', type: 'Native', name: 'Android (Kotlin)', sdk: 'io.logto.sdk:android' },
  { id: 'flutter', type: 'Native', name: 'Flutter', sdk: 'logto_dart_sdk' },
  { id: 'm2m-node', type: 'MachineToMachine', name: 'Node.js', sdk: 'fetch' },
  { id: 'm2m-python', type: 'MachineToMachine', name: 'Python', sdk: 'requests' },
];

export const frameworksOf = (type: ApplicationType) => frameworks.filter((item) => item.type === type);

/** The framework named in `?guide=`, when it exists and suits the app's type; else the type's first. */
export const pickFramework = (type: ApplicationType, requested: string | null | undefined): Framework => {
  const match = frameworks.find((item) => item.id === requested && item.type === type);
  const first = frameworksOf(type)[0];
  if (!first) throw new Error(`no framework for ${type}`);
  return match ?? first;
};

/** Where the console remembers the framework chosen for an app, so its guide opens on it next time. */
export const guideKey = (id: string) => `gatehouse.console.guide.${id}`;

/** Where the sample app runs while developing. */
export const defaultBaseUrl = 'http://localhost:3000';

/** What the SDK of each web framework uses as its callback path (fixed by `@logto/express`, `@logto/next`). */
const callbackPaths: Partial<Record<FrameworkId, string>> = {
  express: '/logto/sign-in-callback',
  next: '/callback',
  flask: '/callback',
  react: '/callback',
  vue: '/callback',
  vanilla: '/callback',
};

const nativeCallback: Partial<Record<FrameworkId, string>> = {
  ios: 'io.logto://callback',
  android: 'io.logto.android://io.logto.sample/callback',
  flutter: 'io.logto://callback',
};

export const secretPlaceholder = '<paste the app secret you copied>';
export const resourcePlaceholder = 'https://api.example.com';

export type GuideInput = {
  endpoint: string;
  appId: string;
  redirectUris: readonly string[];
  postLogoutRedirectUris: readonly string[];
  /** M2M: the API resource indicator the token is for. */
  resource?: string;
  /** M2M: the resource's scopes to ask for (the app's machine-to-machine roles decide which are granted). */
  scopes?: readonly string[];
  /** Next.js: a random cookie encryption secret the page generates (never stored anywhere). */
  cookieSecret?: string;
};

export type GuideStepKind =
  | 'install'
  | 'config'
  | 'routes'
  | 'signIn'
  | 'callback'
  | 'user'
  | 'token'
  | 'call';

export type GuideStep = { kind: GuideStepKind; file?: string; language: string; code: string };

export type Guide = {
  framework: Framework;
  /** The base URL the code assumes (web frameworks). */
  baseUrl?: string;
  /** The redirect URI the code signs in with. */
  redirectUri?: string;
  /** Where the app comes back after signing out. */
  postLogoutRedirectUri?: string;
  /** URIs the code needs that the app does not list yet: the page offers to add them. */
  missing: { redirectUri?: string; postLogoutRedirectUri?: string };
  /** The values of the SDK's config object, as the code shows them. */
  config: Record<string, string>;
  steps: GuideStep[];
};

/** `'value'` as a JS/TS string literal (single quotes, as in the SDK docs). */
const js = (value: string) => `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
/** `"value"` as a Python, Swift, Kotlin or shell-safe double-quoted literal. */
const dq = (value: string) => `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;

/** The base URL and callback of a web framework: from a matching registered redirect URI, else localhost. */
const webUris = (path: string, input: GuideInput) => {
  const registered = input.redirectUris.find((uri) => /^https?:\/\//i.test(uri) && uri.endsWith(path));
  const baseUrl = registered ? registered.slice(0, -path.length) : defaultBaseUrl;
  const redirectUri = `${baseUrl}${path}`;
  return { baseUrl, redirectUri, postLogoutRedirectUri: baseUrl };
};

const missingOf = (input: GuideInput, redirectUri?: string, postLogoutRedirectUri?: string) => ({
  ...(redirectUri && !input.redirectUris.includes(redirectUri) && { redirectUri }),
  ...(postLogoutRedirectUri &&
    !input.postLogoutRedirectUris.includes(postLogoutRedirectUri) && { postLogoutRedirectUri }),
});

const npm = (packages: string): GuideStep => ({
  kind: 'install',
  language: 'bash',
  code: `npm i ${packages}`,
});

/** The guide for `frameworkId` with this app's values. */
export const buildGuide = (frameworkId: FrameworkId, input: GuideInput): Guide => {
  const framework = frameworks.find((item) => item.id === frameworkId);
  if (!framework) throw new Error(`unknown framework ${frameworkId}`);
  const { endpoint, appId } = input;
  const path = callbackPaths[frameworkId];

  if (path) {
    const uris = webUris(path, input);
    const base = {
      framework,
      ...uris,
      missing: missingOf(input, uris.redirectUri, uris.postLogoutRedirectUri),
    };
    const steps = webSteps(frameworkId, input, uris);
    return { ...base, config: steps.config, steps: steps.steps };
  }

  const native = nativeCallback[frameworkId];
  if (native) {
    const redirectUri = input.redirectUris[0] ?? native;
    return {
      framework,
      redirectUri,
      missing: missingOf(input, redirectUri),
      config: { endpoint, appId },
      steps: nativeSteps(frameworkId, input, redirectUri),
    };
  }

  const resource = input.resource || resourcePlaceholder;
  return {
    framework,
    missing: {},
    config: {
      endpoint,
      appId,
      appSecret: secretPlaceholder,
      resource,
      scope: (input.scopes ?? []).join(' '),
    },
    steps: machineSteps(frameworkId, input, resource),
  };
};

type WebUris = ReturnType<typeof webUris>;

const webSteps = (
  id: FrameworkId,
  input: GuideInput,
  { baseUrl, redirectUri, postLogoutRedirectUri }: WebUris,
): { config: Record<string, string>; steps: GuideStep[] } => {
  const { endpoint, appId } = input;
  switch (id) {
    case 'express': {
      const config = { endpoint, appId, appSecret: secretPlaceholder, baseUrl };
      return {
        config,
        steps: [
          npm('@logto/express cookie-parser express-session'),
          {
            kind: 'config',
            file: 'app.ts',
            language: 'ts',
            code: `import type { LogtoExpressConfig } from '@logto/express';
import cookieParser from 'cookie-parser';
import express from 'express';
import session from 'express-session';

const config: LogtoExpressConfig = {
  endpoint: ${js(endpoint)},
  appId: ${js(appId)},
  appSecret: ${js(secretPlaceholder)},
  baseUrl: ${js(baseUrl)},
};

const app = express();
// The SDK keeps its state in the session: express-session must come first.
app.use(cookieParser());
app.use(
  session({
    secret: process.env.SESSION_SECRET!, // a long random string of your own
    cookie: { maxAge: 14 * 24 * 60 * 60 * 1000 },
  }),
);`,
          },
          {
            kind: 'routes',
            file: 'app.ts',
            language: 'ts',
            code: `import { handleAuthRoutes } from '@logto/express';

// Adds /logto/sign-in, /logto/sign-in-callback (${redirectUri}) and /logto/sign-out.
app.use(handleAuthRoutes(config));`,
          },
          {
            kind: 'user',
            file: 'app.ts',
            language: 'ts',
            code: `import { withLogto } from '@logto/express';

app.get('/', withLogto(config), (req, res) => {
  if (req.user.isAuthenticated) {
    res.send(\`Hello \${req.user.claims?.sub}, <a href="/logto/sign-out">Sign out</a>\`);
  } else {
    res.send('<a href="/logto/sign-in">Sign in</a>');
  }
});

app.listen(${new URL(baseUrl).port || (baseUrl.startsWith('https') ? 443 : 80)});`,
          },
        ],
      };
    }
    case 'next': {
      const cookieSecret = input.cookieSecret ?? '<a random string of at least 32 characters>';
      const config = { endpoint, appId, appSecret: secretPlaceholder, baseUrl, cookieSecret };
      return {
        config,
        steps: [
          npm('@logto/next'),
          {
            kind: 'config',
            file: 'app/logto.ts',
            language: 'ts',
            code: `export const logtoConfig = {
  endpoint: ${js(endpoint)},
  appId: ${js(appId)},
  appSecret: ${js(secretPlaceholder)},
  baseUrl: ${js(baseUrl)},
  cookieSecret: ${js(cookieSecret)},
  cookieSecure: process.env.NODE_ENV === 'production',
};`,
          },
          {
            kind: 'callback',
            file: 'app/callback/route.ts',
            language: 'ts',
            code: `import { handleSignIn } from '@logto/next/server-actions';
import { redirect } from 'next/navigation';
import type { NextRequest } from 'next/server';
import { logtoConfig } from '../logto';

// ${redirectUri}
export async function GET(request: NextRequest) {
  await handleSignIn(logtoConfig, request.nextUrl.searchParams);
  redirect('/');
}`,
          },
          {
            kind: 'user',
            file: 'app/page.tsx',
            language: 'tsx',
            code: `import { getLogtoContext, signIn, signOut } from '@logto/next/server-actions';
import { logtoConfig } from './logto';

export default async function Home() {
  const { isAuthenticated, claims } = await getLogtoContext(logtoConfig);
  return isAuthenticated ? (
    <form
      action={async () => {
        'use server';
        await signOut(logtoConfig); // back to ${postLogoutRedirectUri}
      }}
    >
      Hello {claims?.sub} <button type="submit">Sign out</button>
    </form>
  ) : (
    <form
      action={async () => {
        'use server';
        await signIn(logtoConfig); // redirect URI: ${redirectUri}
      }}
    >
      <button type="submit">Sign in</button>
    </form>
  );
}`,
          },
        ],
      };
    }
    case 'flask': {
      const config = { endpoint, appId, appSecret: secretPlaceholder };
      return {
        config,
        steps: [
          { kind: 'install', language: 'bash', code: "pip install logto 'flask[async]'" },
          {
            kind: 'config',
            file: 'app.py',
            language: 'python',
            code: `import os

from flask import Flask, redirect, request, session
from logto import LogtoClient, LogtoConfig, Storage

app = Flask(__name__)
app.secret_key = os.environ["SESSION_SECRET"]  # a long random string of your own: signs the session cookie


class SessionStorage(Storage):
    def get(self, key: str) -> str | None:
        return session.get(key, None)

    def set(self, key: str, value: str | None) -> None:
        session[key] = value

    def delete(self, key: str) -> None:
        session.pop(key, None)


client = LogtoClient(
    LogtoConfig(
        endpoint=${dq(endpoint)},
        appId=${dq(appId)},
        appSecret=${dq(secretPlaceholder)},
    ),
    storage=SessionStorage(),
)`,
          },
          {
            kind: 'routes',
            file: 'app.py',
            language: 'python',
            code: `@app.route("/sign-in")
async def sign_in():
    return redirect(await client.signIn(redirectUri=${dq(redirectUri)}))


@app.route("/callback")
async def callback():
    await client.handleSignInCallback(request.url)
    return redirect("/")


@app.route("/sign-out")
async def sign_out():
    return redirect(await client.signOut(postLogoutRedirectUri=${dq(postLogoutRedirectUri)}))`,
          },
          {
            kind: 'user',
            file: 'app.py',
            language: 'python',
            code: `@app.route("/")
async def home():
    if not client.isAuthenticated():
        return "Not signed in. <a href='/sign-in'>Sign in</a>"
    claims = client.getIdTokenClaims()
    return f"Hello {claims.sub}. <a href='/sign-out'>Sign out</a>"`,
          },
        ],
      };
    }
    case 'react': {
      const config = { endpoint, appId };
      return {
        config,
        steps: [
          npm('@logto/react'),
          {
            kind: 'config',
            file: 'App.tsx',
            language: 'tsx',
            code: `import { LogtoProvider, type LogtoConfig } from '@logto/react';

const config: LogtoConfig = {
  endpoint: ${js(endpoint)},
  appId: ${js(appId)},
};

export const App = () => (
  <LogtoProvider config={config}>
    {/* your routes: "/" renders <Home />, "/callback" renders <Callback /> */}
  </LogtoProvider>
);`,
          },
          {
            kind: 'callback',
            file: 'Callback.tsx',
            language: 'tsx',
            code: `import { useHandleSignInCallback } from '@logto/react';

export const Callback = () => {
  const { isLoading } = useHandleSignInCallback(() => {
    window.location.assign('/');
  });
  return isLoading ? <p>Signing in…</p> : null;
};`,
          },
          {
            kind: 'user',
            file: 'Home.tsx',
            language: 'tsx',
            code: `import { useLogto } from '@logto/react';

export const Home = () => {
  const { isAuthenticated, signIn, signOut } = useLogto();
  return isAuthenticated ? (
    <button type="button" onClick={() => signOut(${js(postLogoutRedirectUri)})}>Sign out</button>
  ) : (
    <button type="button" onClick={() => signIn(${js(redirectUri)})}>Sign in</button>
  );
};`,
          },
        ],
      };
    }
    case 'vue': {
      const config = { endpoint, appId };
      return {
        config,
        steps: [
          npm('@logto/vue'),
          {
            kind: 'config',
            file: 'main.ts',
            language: 'ts',
            code: `import { createLogto, type LogtoConfig } from '@logto/vue';
import { createApp } from 'vue';
import App from './App.vue';

const config: LogtoConfig = {
  endpoint: ${js(endpoint)},
  appId: ${js(appId)},
};

createApp(App).use(createLogto, config).mount('#app');`,
          },
          {
            kind: 'callback',
            file: 'CallbackView.vue (route /callback)',
            language: 'html',
            code: `<script setup lang="ts">
import { useHandleSignInCallback } from '@logto/vue';

const { isLoading } = useHandleSignInCallback(() => {
  window.location.assign('/');
});
</script>

<template>
  <p v-if="isLoading">Signing in…</p>
</template>`,
          },
          {
            kind: 'user',
            file: 'App.vue',
            language: 'html',
            code: `<script setup lang="ts">
import { useLogto } from '@logto/vue';

const { isAuthenticated, signIn, signOut } = useLogto();
</script>

<template>
  <button v-if="isAuthenticated" @click="signOut(${js(postLogoutRedirectUri)})">Sign out</button>
  <button v-else @click="signIn(${js(redirectUri)})">Sign in</button>
</template>`,
          },
        ],
      };
    }
    default: {
      const config = { endpoint, appId };
      return {
        config,
        steps: [
          npm('@logto/browser'),
          {
            kind: 'config',
            file: 'auth.js',
            language: 'js',
            code: `import LogtoClient from '@logto/browser';

export const logtoClient = new LogtoClient({
  endpoint: ${js(endpoint)},
  appId: ${js(appId)},
});`,
          },
          {
            kind: 'callback',
            file: 'callback.js (the page at /callback)',
            language: 'js',
            code: `import { logtoClient } from './auth.js';

await logtoClient.handleSignInCallback(window.location.href);
window.location.assign('/');`,
          },
          {
            kind: 'user',
            file: 'main.js',
            language: 'js',
            code: `import { logtoClient } from './auth.js';

const button = document.querySelector('#auth');
if (await logtoClient.isAuthenticated()) {
  const claims = await logtoClient.getIdTokenClaims();
  button.textContent = \`Sign out \${claims.sub}\`;
  button.onclick = () => logtoClient.signOut(${js(postLogoutRedirectUri)});
} else {
  button.textContent = 'Sign in';
  button.onclick = () => logtoClient.signIn(${js(redirectUri)});
}`,
          },
        ],
      };
    }
  }
};

const nativeSteps = (id: FrameworkId, { endpoint, appId }: GuideInput, redirectUri: string): GuideStep[] => {
  switch (id) {
    case 'ios':
      return [
        {
          kind: 'install',
          language: 'text',
          code: 'Xcode → File → Add Package Dependencies… → https://github.com/logto-io/swift.git',
        },
        {
          kind: 'config',
          language: 'swift',
          code: `import Logto
import LogtoClient

let config = try? LogtoConfig(
  endpoint: ${dq(endpoint)},
  appId: ${dq(appId)}
)
let client = LogtoClient(useConfig: config)`,
        },
        {
          kind: 'signIn',
          language: 'swift',
          code: `do {
  try await client.signInWithBrowser(redirectUri: ${dq(redirectUri)})
  print(client.isAuthenticated) // true
} catch let error as LogtoClientErrors.SignIn {
  // signing in failed or was cancelled
}

await client.signOut()`,
        },
      ];
    case 'android':
      return [
        {
          kind: 'install',
          file: 'build.gradle.kts',
          language: 'kotlin',
          code: `dependencies {
    implementation("io.logto.sdk:android:1.1.3")
}`,
        },
        {
          kind: 'config',
          language: 'kotlin',
          code: `import io.logto.sdk.android.LogtoClient
import io.logto.sdk.android.type.LogtoConfig

class MainActivity : AppCompatActivity() {
    val logtoConfig = LogtoConfig(
        endpoint = ${dq(endpoint)},
        appId = ${dq(appId)},
        scopes = null,
        resources = null,
        usingPersistStorage = true,
    )
    val logtoClient = LogtoClient(logtoConfig, application)
}`,
        },
        {
          kind: 'signIn',
          language: 'kotlin',
          code: `logtoClient.signIn(this, ${dq(redirectUri)}) { logtoException: LogtoException? ->
    // Signed in when logtoException is null: logtoClient.isAuthenticated is true.
}

logtoClient.signOut { logtoException: LogtoException? ->
    // Local credentials are cleared in any case.
}`,
        },
      ];
    default:
      return [
        { kind: 'install', language: 'bash', code: 'flutter pub add logto_dart_sdk http' },
        {
          kind: 'config',
          language: 'dart',
          code: `import 'package:http/http.dart' as http;
import 'package:logto_dart_sdk/logto_dart_sdk.dart';

const logtoConfig = LogtoConfig(
  endpoint: ${js(endpoint)},
  appId: ${js(appId)},
);

final logtoClient = LogtoClient(config: logtoConfig, httpClient: http.Client());`,
        },
        {
          kind: 'signIn',
          language: 'dart',
          code: `Future<void> signIn() async {
  await logtoClient.signIn(${js(redirectUri)});
  print(await logtoClient.isAuthenticated); // true
}

Future<void> signOut() async {
  await logtoClient.signOut();
}`,
        },
      ];
  }
};

const machineSteps = (
  id: FrameworkId,
  { endpoint, appId, scopes }: GuideInput,
  resource: string,
): GuideStep[] => {
  const tokenEndpoint = `${endpoint}/oidc/token`;
  // Without `scope`, the token carries none: ask for the resource's scopes.
  const scope = (scopes ?? []).join(' ');
  const curl: GuideStep = {
    kind: 'token',
    language: 'bash',
    code: `curl -X POST ${dq(tokenEndpoint)} \\
  -u ${dq(`${appId}:${secretPlaceholder}`)} \\
  -d grant_type=client_credentials \\
  --data-urlencode ${dq(`resource=${resource}`)}${
    scope
      ? ` \\
  --data-urlencode ${dq(`scope=${scope}`)}`
      : ''
  }`,
  };
  if (id === 'm2m-python') {
    return [
      { kind: 'install', language: 'bash', code: 'pip install requests' },
      curl,
      {
        kind: 'call',
        file: 'token.py',
        language: 'python',
        code: `import requests

response = requests.post(
    ${dq(tokenEndpoint)},
    auth=(${dq(appId)}, ${dq(secretPlaceholder)}),
    data={"grant_type": "client_credentials", "resource": ${dq(resource)}${scope ? `, "scope": ${dq(scope)}` : ''}},
)
response.raise_for_status()
access_token = response.json()["access_token"]  # a JWT for ${resource}`,
      },
    ];
  }
  return [
    curl,
    {
      kind: 'call',
      file: 'token.mjs (Node.js 18+, no dependency)',
      language: 'js',
      code: `const response = await fetch(${js(tokenEndpoint)}, {
  method: 'POST',
  headers: {
    authorization: \`Basic \${Buffer.from(${js(`${appId}:`)} + process.env.APP_SECRET).toString('base64')}\`,
    'content-type': 'application/x-www-form-urlencoded',
  },
  body: new URLSearchParams({
    grant_type: 'client_credentials',
    resource: ${js(resource)},${scope ? `\n    scope: ${js(scope)},` : ''}
  }),
});
if (!response.ok) throw new Error(\`token request failed: \${await response.text()}\`);
const { access_token, expires_in } = await response.json(); // a JWT for ${resource}`,
    },
  ];
};
