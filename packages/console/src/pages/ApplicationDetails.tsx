import { type FormEvent, useCallback, useEffect, useMemo, useState } from 'react';
import type { Application, CreatedSecret, ManagementApi, SecretSummary } from '../api.ts';
import { CopyField, ErrorMessage, useTypeLabel } from '../components.tsx';
import { definePhrases, useT } from '../i18n.ts';
import type { Resource } from '../roles-api.ts';
import { linkTo } from '../router.ts';
import { useLoad } from '../ui/hooks.ts';
import { DetailsPending, FormActions, TableHead, TextField } from '../ui/parts.tsx';
import {
  buildGuide,
  type FrameworkId,
  frameworksOf,
  type GuideStepKind,
  guideKey,
  pickFramework,
  secretPlaceholder,
} from './guides/guides.ts';
import { type LifetimeErrors, lifetimeLimits, validateLifetimes } from './guides/lifetimes.ts';
import './applications.css';

const phrases = definePhrases({
  en: {
    back: '← Applications',
    loading: 'Loading…',
    credentials: 'Credentials',
    endpoint: 'Endpoint',
    appId: 'App ID',
    appSecret: 'App secret',
    secretNamed: 'Secret {name}',
    shownOnce:
      'Secret “{name}”: copy it now. It is shown this once and cannot be read again; create another if you lose it.',
    uris: 'URIs',
    redirectUris: 'Redirect URIs (one per line)',
    postLogoutUris: 'Post sign-out redirect URIs (one per line)',
    saveUris: 'Save URIs',
    saved: 'Saved.',
    secrets: 'Secrets',
    name: 'Name',
    created: 'Created',
    expires: 'Expires',
    never: 'Never',
    actions: 'Actions',
    rotate: 'Rotate',
    rotateLabel: 'Rotate secret {name}',
    delete: 'Delete',
    deleteLabel: 'Delete secret {name}',
    confirmDelete: 'Delete the secret “{name}”? Apps using it stop working.',
    newSecretName: 'New secret name',
    createSecret: 'Create secret',
    rotated: 'New secret “{name}” created. Put it in your app, then delete the old secret “{old}”.',
    deleteOld: 'Delete old secret “{old}”',
    oldDeleted: 'The old secret “{old}” was deleted.',
    lifetimes: 'Token lifetimes',
    lifetimesHint: 'Leave a field empty to keep its current value.',
    accessTtl: 'Access token lifetime (seconds)',
    accessTtlHelp:
      '{min}–{max}. For tokens without an API resource (user info); API resources set their own.',
    refreshDays: 'Refresh token lifetime (days)',
    refreshDaysHelp: '{min}–{max}. Sliding: each use of the refresh token extends it.',
    saveLifetimes: 'Save lifetimes',
    notInteger: 'Enter a whole number.',
    outOfRange: 'Enter a number from {min} to {max}.',
    m2mLifetimes:
      'Machine-to-machine tokens take their lifetime from the API resource they are for (API resources screen).',
    guide: 'Integration guide',
    guideFor: 'Guide for',
    sdk: 'SDK: {sdk}',
    missingRedirect: 'This code signs in with the redirect URI {uri}, which the app does not list yet.',
    addRedirect: 'Add redirect URI {uri}',
    missingPostLogout: 'It signs out back to {uri}, which is not a post sign-out redirect URI yet.',
    addPostLogout: 'Add post sign-out URI {uri}',
    secretNote:
      'Replace “{placeholder}” with the app secret you copied when you created the app or a secret (it is shown only once; create a new secret below if you no longer have it).',
    resource: 'API resource',
    noResources:
      'No API resource yet: create one, then assign the app a machine-to-machine role with its scopes.',
    m2mNote: 'The app gets the scopes of its machine-to-machine roles on that resource.',
    copyCode: 'Copy code',
    copied: 'Copied',
    install: 'Install',
    config: 'Configure',
    routes: 'Sign-in, callback and sign-out routes',
    signIn: 'Sign in and sign out',
    callback: 'Handle the callback',
    user: 'Signed in? Show the user',
    token: 'Get an access token',
    call: 'Get a token from code',
  },
  th: {
    back: '← แอปพลิเคชัน',
    loading: 'กำลังโหลด…',
    credentials: 'ข้อมูลประจำตัว',
    endpoint: 'เอนด์พอยต์',
    appId: 'App ID',
    appSecret: 'รหัสลับของแอป',
    secretNamed: 'รหัสลับ {name}',
    shownOnce: 'รหัสลับ “{name}”: คัดลอกเดี๋ยวนี้ จะแสดงเพียงครั้งเดียวและอ่านซ้ำไม่ได้ หากทำหายให้สร้างใหม่',
    uris: 'URI',
    redirectUris: 'Redirect URI (บรรทัดละหนึ่งรายการ)',
    postLogoutUris: 'Redirect URI หลังออกจากระบบ (บรรทัดละหนึ่งรายการ)',
    saveUris: 'บันทึก URI',
    saved: 'บันทึกแล้ว',
    secrets: 'รหัสลับ',
    name: 'ชื่อ',
    created: 'สร้างเมื่อ',
    expires: 'หมดอายุ',
    never: 'ไม่หมดอายุ',
    actions: 'การดำเนินการ',
    rotate: 'หมุนเวียน',
    rotateLabel: 'หมุนเวียนรหัสลับ {name}',
    delete: 'ลบ',
    deleteLabel: 'ลบรหัสลับ {name}',
    confirmDelete: 'ลบรหัสลับ “{name}” หรือไม่? แอปที่ใช้รหัสนี้จะหยุดทำงาน',
    newSecretName: 'ชื่อรหัสลับใหม่',
    createSecret: 'สร้างรหัสลับ',
    rotated: 'สร้างรหัสลับใหม่ “{name}” แล้ว ใส่ในแอปของคุณ แล้วลบรหัสลับเดิม “{old}”',
    deleteOld: 'ลบรหัสลับเดิม “{old}”',
    oldDeleted: 'ลบรหัสลับเดิม “{old}” แล้ว',
    lifetimes: 'อายุของโทเค็น',
    lifetimesHint: 'เว้นว่างไว้เพื่อใช้ค่าปัจจุบัน',
    accessTtl: 'อายุ access token (วินาที)',
    accessTtlHelp: '{min}–{max} สำหรับโทเค็นที่ไม่ระบุ API resource (ข้อมูลผู้ใช้) ส่วน API resource กำหนดอายุเอง',
    refreshDays: 'อายุ refresh token (วัน)',
    refreshDaysHelp: '{min}–{max} แบบเลื่อน: ทุกครั้งที่ใช้ refresh token อายุจะต่อออกไป',
    saveLifetimes: 'บันทึกอายุโทเค็น',
    notInteger: 'กรุณาใส่จำนวนเต็ม',
    outOfRange: 'กรุณาใส่ตัวเลขตั้งแต่ {min} ถึง {max}',
    m2mLifetimes: 'โทเค็นแบบเครื่องต่อเครื่องใช้อายุตาม API resource ที่ขอ (หน้าจอ API resources)',
    guide: 'คู่มือการเชื่อมต่อ',
    guideFor: 'คู่มือสำหรับ',
    sdk: 'SDK: {sdk}',
    missingRedirect: 'โค้ดนี้ลงชื่อเข้าใช้ด้วย redirect URI {uri} ซึ่งแอปยังไม่มีในรายการ',
    addRedirect: 'เพิ่ม redirect URI {uri}',
    missingPostLogout: 'หลังออกจากระบบจะกลับไปที่ {uri} ซึ่งยังไม่อยู่ในรายการ redirect URI หลังออกจากระบบ',
    addPostLogout: 'เพิ่ม URI หลังออกจากระบบ {uri}',
    secretNote:
      'แทนที่ “{placeholder}” ด้วยรหัสลับของแอปที่คุณคัดลอกไว้ตอนสร้างแอปหรือรหัสลับ (แสดงเพียงครั้งเดียว หากไม่มีแล้วให้สร้างรหัสลับใหม่ด้านล่าง)',
    resource: 'API resource',
    noResources: 'ยังไม่มี API resource: สร้างก่อน แล้วมอบบทบาทเครื่องต่อเครื่องพร้อมสิทธิ์ (scope) ให้แอป',
    m2mNote: 'แอปจะได้รับ scope ตามบทบาทเครื่องต่อเครื่องของแอปบน resource นั้น',
    copyCode: 'คัดลอกโค้ด',
    copied: 'คัดลอกแล้ว',
    install: 'ติดตั้ง',
    config: 'ตั้งค่า',
    routes: 'เส้นทางลงชื่อเข้าใช้ callback และออกจากระบบ',
    signIn: 'ลงชื่อเข้าใช้และออกจากระบบ',
    callback: 'จัดการ callback',
    user: 'ลงชื่อเข้าใช้แล้วหรือยัง? แสดงผู้ใช้',
    token: 'ขอ access token',
    call: 'ขอโทเค็นจากโค้ด',
  },
});

type T = ReturnType<typeof useT<keyof (typeof phrases)['en']>>;

const lines = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

const confidential = (app: Application) => app.type === 'Traditional' || app.type === 'MachineToMachine';

/** One application: endpoint, app id, the secret shown once, the integration guide, URIs, lifetimes, secrets. */
export const ApplicationDetails = ({
  api,
  id,
  endpoint,
}: {
  api: ManagementApi;
  id: string;
  endpoint: string;
}) => {
  const t = useT(phrases);
  const typeLabel = useTypeLabel();
  const [app, setApp] = useState<Application>();
  const [error, setError] = useState<unknown>();
  // Bumped when the guide adds a URI, so the URI form shows the new list (a save in the form itself keeps it).
  const [urisVersion, setUrisVersion] = useState(0);
  // The secret created with the app, handed over by the create form; shown once, then forgotten.
  const [initialSecret] = useState(() => {
    const key = `gatehouse.console.secret.${id}`;
    const value = sessionStorage.getItem(key);
    sessionStorage.removeItem(key);
    return value;
  });

  useEffect(() => {
    api.getApplication(id).then(setApp, setError);
  }, [api, id]);

  if (!app) {
    const back = <a {...linkTo('/console/applications')}>{t('back')}</a>;
    return <DetailsPending back={back} error={error} loading={t('loading')} />;
  }
  return (
    <section className="stack">
      <p>
        <a {...linkTo('/console/applications')}>{t('back')}</a>
      </p>
      <h1>{app.name}</h1>
      <p className="muted">{typeLabel(app.type)}</p>
      <div className="card stack">
        <h2>{t('credentials')}</h2>
        <CopyField label={t('endpoint')} value={endpoint} testId="app-endpoint" />
        <CopyField label={t('appId')} value={app.id} testId="app-id" />
        {initialSecret ? <ShownOnce secret={initialSecret} name="default" /> : null}
      </div>
      <Guide
        api={api}
        app={app}
        endpoint={endpoint}
        onSaved={(saved) => {
          setApp(saved);
          setUrisVersion((version) => version + 1);
        }}
      />
      {app.type !== 'MachineToMachine' ? (
        <Uris key={urisVersion} api={api} app={app} onSaved={setApp} />
      ) : null}
      <Lifetimes api={api} app={app} onSaved={setApp} />
      {confidential(app) ? <Secrets api={api} app={app} /> : null}
    </section>
  );
};

const ShownOnce = ({ secret, name }: { secret: string; name: string }) => {
  const t = useT(phrases);
  return (
    <div className="shown-once" role="status">
      <CopyField
        label={name === 'default' ? t('appSecret') : t('secretNamed', { name })}
        value={secret}
        testId={name === 'default' ? 'app-secret' : 'new-secret'}
      />
      <p className="muted">{t('shownOnce', { name })}</p>
    </div>
  );
};

const stepTitle = (t: T, kind: GuideStepKind) => t(kind);

/** Random characters for the Next.js cookie secret (generated in the page, kept nowhere). */
const randomSecret = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(24)), (byte) => byte.toString(16).padStart(2, '0')).join(
    '',
  );

const Guide = ({
  api,
  app,
  endpoint,
  onSaved,
}: {
  api: ManagementApi;
  app: Application;
  endpoint: string;
  onSaved: (app: Application) => void;
}) => {
  const t = useT(phrases);
  const [framework, setFramework] = useState<FrameworkId>(() => {
    const requested =
      new URLSearchParams(window.location.search).get('guide') ?? localStorage.getItem(guideKey(app.id));
    return pickFramework(app.type, requested).id;
  });
  const [cookieSecret] = useState(randomSecret);
  const [resources, setResources] = useState<Resource[]>();
  const [resource, setResource] = useState('');
  const [scopes, setScopes] = useState<string[]>([]);
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    if (app.type !== 'MachineToMachine') return;
    api.listResources(1, 100).then(({ items: list }) => {
      setResources(list);
      setResource((current) => current || (list[0]?.indicator ?? ''));
    }, setError);
  }, [api, app.type]);

  // The chosen resource's scopes, which the M2M token request asks for.
  const resourceId = resources?.find((item) => item.indicator === resource)?.id;
  useEffect(() => {
    setScopes([]);
    if (!resourceId) return;
    let cancelled = false;
    api.listResourceScopes(resourceId).then(
      ({ items }) => !cancelled && setScopes(items.map((scope) => scope.name)),
      (failure: unknown) => !cancelled && setError(failure),
    );
    return () => {
      cancelled = true;
    };
  }, [api, resourceId]);

  const choose = (next: FrameworkId) => {
    setFramework(next);
    localStorage.setItem(guideKey(app.id), next);
    const url = new URL(window.location.href);
    url.searchParams.set('guide', next);
    window.history.replaceState(null, '', url);
  };

  const guide = useMemo(
    () =>
      buildGuide(framework, {
        endpoint,
        appId: app.id,
        redirectUris: app.oidcClientMetadata.redirectUris,
        postLogoutRedirectUris: app.oidcClientMetadata.postLogoutRedirectUris,
        resource,
        scopes,
        cookieSecret,
      }),
    [framework, endpoint, app, resource, scopes, cookieSecret],
  );

  const add = async (field: 'redirectUris' | 'postLogoutRedirectUris', uri: string) => {
    setError(undefined);
    try {
      onSaved(
        await api.updateUris(app.id, {
          ...app.oidcClientMetadata,
          [field]: [...app.oidcClientMetadata[field], uri],
        }),
      );
    } catch (failure) {
      setError(failure);
    }
  };

  const choices = frameworksOf(app.type);
  return (
    <section className="card stack guide" aria-labelledby="guide-title">
      <h2 id="guide-title">{t('guide')}</h2>
      <fieldset className="row framework-tabs">
        <legend className="visually-hidden">{t('guideFor')}</legend>
        {choices.map((option) => (
          <button
            key={option.id}
            type="button"
            aria-pressed={option.id === framework}
            className={option.id === framework ? 'primary' : undefined}
            onClick={() => choose(option.id)}
          >
            {option.name}
          </button>
        ))}
      </fieldset>
      <p className="muted">{t('sdk', { sdk: guide.framework.sdk })}</p>
      {guide.missing.redirectUri ? (
        <div className="notice">
          <p>{t('missingRedirect', { uri: guide.missing.redirectUri })}</p>
          <button type="button" onClick={() => add('redirectUris', guide.missing.redirectUri ?? '')}>
            {t('addRedirect', { uri: guide.missing.redirectUri })}
          </button>
        </div>
      ) : null}
      {guide.missing.postLogoutRedirectUri ? (
        <div className="notice">
          <p>{t('missingPostLogout', { uri: guide.missing.postLogoutRedirectUri })}</p>
          <button
            type="button"
            onClick={() => add('postLogoutRedirectUris', guide.missing.postLogoutRedirectUri ?? '')}
          >
            {t('addPostLogout', { uri: guide.missing.postLogoutRedirectUri })}
          </button>
        </div>
      ) : null}
      {app.type === 'MachineToMachine' ? (
        <div className="field">
          <label htmlFor="guide-resource">{t('resource')}</label>
          {resources && resources.length > 0 ? (
            <select
              id="guide-resource"
              value={resource}
              onChange={(event) => setResource(event.target.value)}
            >
              {resources.map((item) => (
                <option key={item.id} value={item.indicator}>
                  {item.name} ({item.indicator})
                </option>
              ))}
            </select>
          ) : (
            <p className="muted">{t('noResources')}</p>
          )}
          <p className="muted">{t('m2mNote')}</p>
        </div>
      ) : null}
      {confidential(app) ? (
        <p className="notice">{t('secretNote', { placeholder: secretPlaceholder })}</p>
      ) : null}
      <ErrorMessage error={error} />
      <ol className="guide-steps">
        {guide.steps.map((step) => (
          <li key={`${framework}-${step.kind}`}>
            <h3>{stepTitle(t, step.kind)}</h3>
            {step.file ? <p className="muted mono">{step.file}</p> : null}
            <CodeBlock code={step.code} testId={`guide-${step.kind}`} />
          </li>
        ))}
      </ol>
    </section>
  );
};

const CodeBlock = ({ code, testId }: { code: string; testId: string }) => {
  const t = useT(phrases);
  const [copied, setCopied] = useState(false);
  return (
    <div className="code-block">
      <pre className="mono" data-testid={testId}>
        <code>{code}</code>
      </pre>
      <button
        type="button"
        onClick={async () => {
          await navigator.clipboard?.writeText(code).catch(() => undefined);
          setCopied(true);
        }}
      >
        {copied ? t('copied') : t('copyCode')}
      </button>
    </div>
  );
};

/** What a section of the details that saves the application gets. */
type AppSection = { api: ManagementApi; app: Application; onSaved: (app: Application) => void };

const Uris = ({ api, app, onSaved }: AppSection) => {
  const t = useT(phrases);
  const [redirects, setRedirects] = useState(app.oidcClientMetadata.redirectUris.join('\n'));
  const [postLogout, setPostLogout] = useState(app.oidcClientMetadata.postLogoutRedirectUris.join('\n'));
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setSaved(false);
    try {
      onSaved(
        await api.updateUris(app.id, {
          redirectUris: lines(redirects),
          postLogoutRedirectUris: lines(postLogout),
        }),
      );
      setSaved(true);
    } catch (failure) {
      setError(failure);
    }
  };

  return (
    <form className="card stack" onSubmit={submit}>
      <h2>{t('uris')}</h2>
      <div className="field">
        <label htmlFor="redirect-uris">{t('redirectUris')}</label>
        <textarea
          id="redirect-uris"
          rows={3}
          value={redirects}
          onChange={(event) => setRedirects(event.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="post-logout-uris">{t('postLogoutUris')}</label>
        <textarea
          id="post-logout-uris"
          rows={3}
          value={postLogout}
          onChange={(event) => setPostLogout(event.target.value)}
        />
      </div>
      <FormActions error={error} submit={t('saveUris')} saved={saved && t('saved')} />
    </form>
  );
};

const Lifetimes = ({ api, app, onSaved }: AppSection) => {
  const t = useT(phrases);
  const custom = app.customClientMetadata ?? {};
  const [access, setAccess] = useState(custom.accessTokenTtl?.toString() ?? '');
  const [refresh, setRefresh] = useState(custom.refreshTokenTtlInDays?.toString() ?? '');
  const [problems, setProblems] = useState<LifetimeErrors>({});
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);

  if (app.type === 'MachineToMachine') {
    return (
      <div className="card stack">
        <h2>{t('lifetimes')}</h2>
        <p className="muted">{t('m2mLifetimes')}</p>
      </div>
    );
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setSaved(false);
    const result = validateLifetimes({ accessTokenTtl: access, refreshTokenTtlInDays: refresh });
    setProblems(result.errors);
    if (!result.value) return;
    try {
      onSaved(await api.setTokenLifetimes<Application>(app.id, result.value));
      setSaved(true);
    } catch (failure) {
      setError(failure);
    }
  };

  const message = (field: keyof LifetimeErrors) => {
    const problem = problems[field];
    if (!problem) return null;
    const { min, max } = lifetimeLimits[field];
    return (
      <p className="field-error" id={`${field}-error`} role="alert">
        {problem === 'notInteger' ? t('notInteger') : t('outOfRange', { min, max })}
      </p>
    );
  };

  const lifetimeFields = [
    {
      field: 'accessTokenTtl',
      id: 'access-ttl',
      label: t('accessTtl'),
      help: t('accessTtlHelp', lifetimeLimits.accessTokenTtl),
      placeholder: '3600',
      value: access,
      onChange: setAccess,
    },
    {
      field: 'refreshTokenTtlInDays',
      id: 'refresh-days',
      label: t('refreshDays'),
      help: t('refreshDaysHelp', lifetimeLimits.refreshTokenTtlInDays),
      placeholder: undefined,
      value: refresh,
      onChange: setRefresh,
    },
  ] as const;

  return (
    <form className="card stack" onSubmit={submit} noValidate>
      <h2>{t('lifetimes')}</h2>
      <p className="muted">{t('lifetimesHint')}</p>
      {lifetimeFields.map(({ field, id, label, help, placeholder, value, onChange }) => (
        <TextField
          key={field}
          id={id}
          label={label}
          help={help}
          helpClassName="help muted"
          type="number"
          inputMode="numeric"
          min={lifetimeLimits[field].min}
          max={lifetimeLimits[field].max}
          placeholder={placeholder}
          value={value}
          aria-invalid={problems[field] ? true : undefined}
          onChange={(event) => onChange(event.target.value)}
        >
          {message(field)}
        </TextField>
      ))}
      <FormActions error={error} submit={t('saveLifetimes')} saved={saved && t('saved')} />
    </form>
  );
};

/** A name for the secret that replaces `name`: the same name with the moment of rotation. */
const rotatedName = (name: string) => {
  const base = name.replace(/ \(rotated [^)]*\)$/, '');
  return `${base} (rotated ${new Date().toISOString().slice(0, 19).replace('T', ' ')})`;
};

const noSecrets: SecretSummary[] = [];

const Secrets = ({ api, app }: { api: ManagementApi; app: Application }) => {
  const t = useT(phrases);
  const [name, setName] = useState('');
  const [createdSecret, setCreatedSecret] = useState<CreatedSecret>();
  const [rotation, setRotation] = useState<{ old: string; deleted: boolean }>();
  const fetch = useCallback(() => api.listSecrets(app.id), [api, app.id]);
  const { value: secrets = noSecrets, error, change } = useLoad(fetch, { clearError: false });

  const create = async (event: FormEvent) => {
    event.preventDefault();
    await change(async () => {
      setCreatedSecret(await api.createSecret(app.id, name));
      setRotation(undefined);
      setName('');
    });
  };

  const rotate = async (old: string) => {
    await change(async () => {
      setCreatedSecret(await api.createSecret(app.id, rotatedName(old)));
      setRotation({ old, deleted: false });
    });
  };

  const remove = async (secretName: string) => {
    if (!window.confirm(t('confirmDelete', { name: secretName }))) return false;
    return change(async () => {
      await api.deleteSecret(app.id, secretName);
      if (createdSecret?.name === secretName) setCreatedSecret(undefined);
    });
  };

  const oldStillThere = rotation && secrets.some((secret) => secret.name === rotation.old);
  return (
    <div className="card stack">
      <h2>{t('secrets')}</h2>
      {createdSecret ? <ShownOnce secret={createdSecret.value} name={createdSecret.name} /> : null}
      {rotation && createdSecret && oldStillThere ? (
        <div className="notice">
          <p>{t('rotated', { name: createdSecret.name, old: rotation.old })}</p>
          <button
            type="button"
            className="danger"
            onClick={async () => {
              if (await remove(rotation.old)) setRotation({ old: rotation.old, deleted: true });
            }}
          >
            {t('deleteOld', { old: rotation.old })}
          </button>
        </div>
      ) : null}
      {rotation?.deleted ? <p role="status">{t('oldDeleted', { old: rotation.old })}</p> : null}
      <table>
        <TableHead columns={[t('name'), t('created'), t('expires')]} actions={t('actions')} />
        <tbody>
          {secrets.map((secret) => (
            <tr key={secret.name}>
              <td>{secret.name}</td>
              <td>{new Date(secret.createdAt).toLocaleString()}</td>
              <td>{secret.expiresAt ? new Date(secret.expiresAt).toLocaleString() : t('never')}</td>
              <td className="row">
                <button
                  type="button"
                  onClick={() => rotate(secret.name)}
                  aria-label={t('rotateLabel', { name: secret.name })}
                >
                  {t('rotate')}
                </button>
                <button
                  type="button"
                  onClick={() => remove(secret.name)}
                  aria-label={t('deleteLabel', { name: secret.name })}
                >
                  {t('delete')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="row" onSubmit={create}>
        <label htmlFor="secret-name">{t('newSecretName')}</label>
        <input id="secret-name" required value={name} onChange={(event) => setName(event.target.value)} />
        <button type="submit">{t('createSecret')}</button>
      </form>
      <ErrorMessage error={error} />
    </div>
  );
};
