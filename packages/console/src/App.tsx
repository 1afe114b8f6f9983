import { lazy, type ReactNode, Suspense, useEffect, useMemo, useState } from 'react';
import {
  ApiFailure,
  type ConsoleStatus,
  createManagementApi,
  fetchStatus,
  type ManagementApi,
} from './api.ts';
import { type Auth, createAuth } from './auth.ts';
import { ErrorMessage } from './components.tsx';
import { definePhrases, languages, setLanguage, useLanguage, useT } from './i18n.ts';
import { FirstAdmin } from './pages/FirstAdmin.tsx';
import { linkTo, navigate, usePath } from './router.ts';

// Screens are loaded on demand (one chunk each), so the first paint needs only the shell.
const Applications = lazy(() =>
  import('./pages/Applications.tsx').then((m) => ({ default: m.Applications })),
);
const ApplicationDetails = lazy(() =>
  import('./pages/ApplicationDetails.tsx').then((m) => ({ default: m.ApplicationDetails })),
);
const Users = lazy(() => import('./pages/Users.tsx').then((m) => ({ default: m.Users })));
const UserDetails = lazy(() => import('./pages/UserDetails.tsx').then((m) => ({ default: m.UserDetails })));
const Connectors = lazy(() => import('./pages/Connectors.tsx').then((m) => ({ default: m.Connectors })));
const Resources = lazy(() => import('./pages/Resources.tsx').then((m) => ({ default: m.Resources })));
const ResourceDetails = lazy(() =>
  import('./pages/ResourceDetails.tsx').then((m) => ({ default: m.ResourceDetails })),
);
const Roles = lazy(() => import('./pages/Roles.tsx').then((m) => ({ default: m.Roles })));
const RoleDetails = lazy(() => import('./pages/RoleDetails.tsx').then((m) => ({ default: m.RoleDetails })));
const AuditLogs = lazy(() => import('./pages/AuditLogs.tsx').then((m) => ({ default: m.AuditLogs })));
const SignInExperience = lazy(() =>
  import('./pages/SignInExperience.tsx').then((m) => ({ default: m.SignInExperience })),
);

const phrases = definePhrases({
  en: {
    loading: 'Loading…',
    startFailed: 'The console could not start',
    tryAgain: 'Try again',
    title: 'Gatehouse console',
    signInPrompt: 'Sign in with an administrator account.',
    sessionEnded: 'Your console session has ended.',
    signIn: 'Sign in',
    notAdmin: 'You are not an administrator',
    notAdminText: 'This account does not hold the console administrator role.',
    signOut: 'Sign out',
    skip: 'Skip to content',
    mainNav: 'Main',
    language: 'Language',
    applications: 'Applications',
    users: 'Users',
    connectors: 'Connectors',
    resources: 'API resources',
    roles: 'Roles',
    logs: 'Audit logs',
    signInExperience: 'Sign-in experience',
  },
  th: {
    loading: 'กำลังโหลด…',
    startFailed: 'เปิดคอนโซลไม่สำเร็จ',
    tryAgain: 'ลองอีกครั้ง',
    title: 'คอนโซล Gatehouse',
    signInPrompt: 'ลงชื่อเข้าใช้ด้วยบัญชีผู้ดูแลระบบ',
    sessionEnded: 'เซสชันคอนโซลของคุณสิ้นสุดแล้ว',
    signIn: 'ลงชื่อเข้าใช้',
    notAdmin: 'คุณไม่ใช่ผู้ดูแลระบบ',
    notAdminText: 'บัญชีนี้ไม่มีบทบาทผู้ดูแลคอนโซล',
    signOut: 'ออกจากระบบ',
    skip: 'ข้ามไปยังเนื้อหา',
    mainNav: 'เมนูหลัก',
    language: 'ภาษา',
    applications: 'แอปพลิเคชัน',
    users: 'ผู้ใช้',
    connectors: 'ตัวเชื่อมต่อ',
    resources: 'ทรัพยากร API',
    roles: 'บทบาท',
    logs: 'บันทึกการตรวจสอบ',
    signInExperience: 'ประสบการณ์การเข้าสู่ระบบ',
  },
});

type Session =
  | { state: 'loading' }
  | { state: 'failed'; error: unknown }
  | { state: 'first-run'; status: ConsoleStatus }
  | { state: 'signed-out'; auth: Auth; ended?: boolean }
  | { state: 'not-admin'; auth: Auth; error: unknown }
  | { state: 'admin'; auth: Auth; status: ConsoleStatus; api: ManagementApi };

/** Signs in (or finishes signing in), then checks that the token opens the Management API. */
const startSession = async (): Promise<Session> => {
  const status = await fetchStatus();
  if (status.firstAdminNeeded) return { state: 'first-run', status };
  const auth = createAuth(status);
  if (window.location.pathname === '/console/callback') {
    try {
      await auth.client.handleSignInCallback(window.location.href);
    } finally {
      // A used or stale callback URL must not be retried on reload.
      navigate('/console/applications', { replace: true });
    }
  }
  if (!(await auth.client.isAuthenticated())) return { state: 'signed-out', auth };
  const api = createManagementApi(auth.token);
  try {
    await api.listApplications(1, 1);
  } catch (error) {
    // A server or network failure is not a verdict on the user.
    if ((error instanceof ApiFailure && error.status >= 500) || error instanceof TypeError) throw error;
    // No token at all (the sign-in expired, was revoked, or its refresh token was refused): signed out, not
    // refused — forget the dead tokens and offer to sign in again.
    if (!(error instanceof ApiFailure)) {
      await auth.client.clearAllTokens();
      return { state: 'signed-out', auth, ended: true };
    }
    // The Management API refused this user's token (no `all`): not an administrator.
    return { state: 'not-admin', auth, error };
  }
  return { state: 'admin', auth, status, api };
};

export const App = () => {
  const t = useT(phrases);
  const [session, setSession] = useState<Session>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` restarts the session on purpose.
  useEffect(() => {
    let cancelled = false;
    startSession().then(
      (next) => !cancelled && setSession(next),
      (error: unknown) => !cancelled && setSession({ state: 'failed', error }),
    );
    return () => {
      cancelled = true;
    };
  }, [attempt]);

  switch (session.state) {
    case 'loading':
      return (
        <main className="centered" aria-busy="true">
          <p>{t('loading')}</p>
        </main>
      );
    case 'failed':
      return (
        <main className="centered">
          <h1>{t('startFailed')}</h1>
          <ErrorMessage error={session.error} />
          <button type="button" onClick={() => setAttempt((n) => n + 1)}>
            {t('tryAgain')}
          </button>
        </main>
      );
    case 'first-run':
      return <FirstAdmin onCreated={() => setAttempt((n) => n + 1)} />;
    case 'signed-out':
      return (
        <main className="centered">
          <h1>{t('title')}</h1>
          {session.ended ? <p role="status">{t('sessionEnded')}</p> : null}
          <p>{t('signInPrompt')}</p>
          <button type="button" className="primary" onClick={() => session.auth.signIn()}>
            {t('signIn')}
          </button>
        </main>
      );
    case 'not-admin':
      return (
        <main className="centered">
          <h1>{t('notAdmin')}</h1>
          <p>{t('notAdminText')}</p>
          <button type="button" onClick={() => session.auth.signOut()}>
            {t('signOut')}
          </button>
        </main>
      );
    case 'admin':
      return <Shell auth={session.auth} status={session.status} api={session.api} />;
  }
};

/**
 * The console's screens: a nav label, the path they live under, and what they render for a path below it. One
 * entry per screen (each screen's pages load on demand, one chunk each).
 */
type ScreenProps = { api: ManagementApi; status: ConsoleStatus; path: string };
const screens: Array<{
  label: keyof (typeof phrases)['en'];
  base: string;
  render: (props: ScreenProps) => ReactNode;
}> = [
  {
    label: 'applications',
    base: '/console/applications',
    render: ({ api, status, path }) => {
      const details = /^\/console\/applications\/([^/]+)$/.exec(path);
      return details?.[1] ? (
        <ApplicationDetails api={api} id={decodeURIComponent(details[1])} endpoint={status.endpoint} />
      ) : (
        <Applications api={api} />
      );
    },
  },
  {
    label: 'resources',
    base: '/console/resources',
    render: ({ api, path }) => {
      const details = /^\/console\/resources\/([^/]+)$/.exec(path);
      return details?.[1] ? (
        <ResourceDetails api={api} id={decodeURIComponent(details[1])} />
      ) : (
        <Resources api={api} />
      );
    },
  },
  {
    label: 'roles',
    base: '/console/roles',
    render: ({ api, path }) => {
      const details = /^\/console\/roles\/([^/]+)$/.exec(path);
      return details?.[1] ? (
        <RoleDetails api={api} id={decodeURIComponent(details[1])} />
      ) : (
        <Roles api={api} />
      );
    },
  },
  {
    label: 'connectors',
    base: '/console/connectors',
    render: ({ api, status, path }) => <Connectors api={api} path={path} endpoint={status.endpoint} />,
  },
  {
    label: 'signInExperience',
    base: '/console/sign-in-experience',
    render: ({ api }) => <SignInExperience api={api} />,
  },
  {
    label: 'users',
    base: '/console/users',
    render: ({ api, path }) => {
      const details = /^\/console\/users\/([^/]+)$/.exec(path);
      return details?.[1] ? (
        <UserDetails api={api} id={decodeURIComponent(details[1])} />
      ) : (
        <Users api={api} />
      );
    },
  },
  {
    label: 'logs',
    base: '/console/logs',
    render: ({ api, path }) => <AuditLogs api={api} path={path} />,
  },
];

const Shell = ({ auth, status, api }: { auth: Auth; status: ConsoleStatus; api: ManagementApi }) => {
  const t = useT(phrases);
  const language = useLanguage();
  const path = usePath();
  const page = useMemo(() => {
    const screen = screens.find((candidate) => path.startsWith(candidate.base)) ?? screens[0];
    return screen?.render({ api, status, path });
  }, [path, api, status]);
  return (
    <div className="shell">
      <a className="skip" href="#content">
        {t('skip')}
      </a>
      <header className="topbar">
        <strong>Gatehouse</strong>
        <nav aria-label={t('mainNav')}>
          {screens.map((screen) => (
            <a key={screen.base} {...linkTo(screen.base)} aria-current={path.startsWith(screen.base)}>
              {t(screen.label)}
            </a>
          ))}
        </nav>
        <label className="language">
          <span className="visually-hidden">{t('language')}</span>
          <select value={language} onChange={(event) => setLanguage(event.target.value as typeof language)}>
            {languages.map((option) => (
              <option key={option.code} value={option.code}>
                {option.label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => auth.signOut()}>
          {t('signOut')}
        </button>
      </header>
      <main id="content" tabIndex={-1}>
        <Suspense fallback={<p aria-busy="true">{t('loading')}</p>}>{page}</Suspense>
      </main>
    </div>
  );
};
