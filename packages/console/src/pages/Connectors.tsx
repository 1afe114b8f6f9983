import { useCallback, useEffect, useState } from 'react';
import type { ManagementApi } from '../api.ts';
import { CopyField, ErrorMessage } from '../components.tsx';
import type { Connector, ConnectorFactory } from '../connectors-api.ts';
import { definePhrases, type Language, useLanguage, useT } from '../i18n.ts';
import { linkTo } from '../router.ts';
import { TableHead } from '../ui/parts.tsx';
import './connectors.css';
import { ConnectorForm } from './connectors/ConnectorForm.tsx';
import { ConnectorTest } from './connectors/ConnectorTest.tsx';
import { connectorsBase as base, ConnectorTabs, outboxPath } from './connectors/Tabs.tsx';
import { Outbox } from './Outbox.tsx';

const phrases = definePhrases({
  en: {
    title: 'Connectors',
    add: 'Add connector',
    loading: 'Loading…',
    socialTitle: 'Social sign-in',
    socialIntro: 'Social sign-in: "Continue with …" buttons on the sign-in page.',
    noSocial: 'No social connector yet.',
    name: 'Name',
    target: 'Target',
    factory: 'Factory',
    onSignIn: 'On the sign-in page',
    actions: 'Actions',
    showOn: 'Show {name} on the sign-in page',
    shown: 'Shown',
    hidden: 'Hidden',
    confirmDelete: 'Delete {name}? Users keep their linked identities.',
    confirmDeleteEmail:
      'Delete {name}? Verification codes then go through SMTP_URL, or to the development outbox without it.',
    yesDelete: 'Yes, delete',
    cancel: 'Cancel',
    delete: 'Delete',
    deleteLabel: 'Delete {name}',
    emailTitle: 'Email',
    emailIntro: 'One email connector sends the verification codes.',
    noEmail:
      'No email connector: verification codes go through SMTP_URL when it is set, else to the development outbox.',
    addEmail: 'Add email connector',
    emailConnector: '{name} email connector',
    sender: 'Sender',
    server: 'Server',
    back: '← Connectors',
    addTitle: 'Add a connector',
    chooseAnother: '← Choose another kind',
    socialKinds: 'Social sign-in',
    emailKinds: 'Email',
    emailExists: 'An email connector exists already: edit or delete it.',
    unknownFactory: 'Unknown connector factory {id}',
    redirectTitle: 'Redirect URI at the provider',
    redirectHelp: 'Register this callback URI, exactly, with the identity provider.',
    callbackUri: 'Callback URI',
  },
  th: {
    title: 'ตัวเชื่อมต่อ',
    add: 'เพิ่มตัวเชื่อมต่อ',
    loading: 'กำลังโหลด…',
    socialTitle: 'เข้าสู่ระบบด้วยโซเชียล',
    socialIntro: 'ปุ่ม "ดำเนินการต่อด้วย …" บนหน้าลงชื่อเข้าใช้',
    noSocial: 'ยังไม่มีตัวเชื่อมต่อโซเชียล',
    name: 'ชื่อ',
    target: 'เป้าหมาย',
    factory: 'ชนิด',
    onSignIn: 'บนหน้าลงชื่อเข้าใช้',
    actions: 'การดำเนินการ',
    showOn: 'แสดง {name} บนหน้าลงชื่อเข้าใช้',
    shown: 'แสดงอยู่',
    hidden: 'ซ่อนอยู่',
    confirmDelete: 'ลบ {name} หรือไม่ ผู้ใช้ยังคงมีบัญชีที่เชื่อมโยงไว้',
    confirmDeleteEmail:
      'ลบ {name} หรือไม่ หลังจากนั้นรหัสยืนยันจะส่งผ่าน SMTP_URL หรือเก็บในกล่องจดหมายสำหรับการพัฒนาหากไม่ได้ตั้งค่า',
    yesDelete: 'ใช่ ลบเลย',
    cancel: 'ยกเลิก',
    delete: 'ลบ',
    deleteLabel: 'ลบ {name}',
    emailTitle: 'อีเมล',
    emailIntro: 'ตัวเชื่อมต่ออีเมลหนึ่งตัวใช้ส่งรหัสยืนยัน',
    noEmail: 'ไม่มีตัวเชื่อมต่ออีเมล: รหัสยืนยันจะส่งผ่าน SMTP_URL หากตั้งค่าไว้ มิฉะนั้นจะเก็บในกล่องจดหมายสำหรับการพัฒนา',
    addEmail: 'เพิ่มตัวเชื่อมต่ออีเมล',
    emailConnector: 'ตัวเชื่อมต่ออีเมล {name}',
    sender: 'ผู้ส่ง',
    server: 'เซิร์ฟเวอร์',
    back: '← ตัวเชื่อมต่อ',
    addTitle: 'เพิ่มตัวเชื่อมต่อ',
    chooseAnother: '← เลือกชนิดอื่น',
    socialKinds: 'เข้าสู่ระบบด้วยโซเชียล',
    emailKinds: 'อีเมล',
    emailExists: 'มีตัวเชื่อมต่ออีเมลอยู่แล้ว: แก้ไขหรือลบตัวเดิม',
    unknownFactory: 'ไม่รู้จักชนิดตัวเชื่อมต่อ {id}',
    redirectTitle: 'Redirect URI ที่ผู้ให้บริการ',
    redirectHelp: 'ลงทะเบียน callback URI นี้กับผู้ให้บริการข้อมูลประจำตัวให้ตรงทุกตัวอักษร',
    callbackUri: 'Callback URI',
  },
});

type T = (key: keyof (typeof phrases)['en'], vars?: Record<string, string | number>) => string;

const localized = (names: { en: string; th?: string }, language: Language) => names[language] ?? names.en;

/** A connector's name: the button name in the console's language (social), or its factory's (email). */
const nameOf = (connector: Connector, t: T, language: Language) =>
  connector.type === 'Social'
    ? (connector.metadata.name?.[language] ??
      connector.metadata.name?.en ??
      connector.target ??
      connector.metadata.target ??
      connector.id)
    : t('emailConnector', { name: connector.connectorId.toUpperCase() });

/** The server of an SMTP URL (host and port; the user name and the masked password are left out). */
const serverOf = (config: Record<string, unknown>) => {
  try {
    return new URL(String(config.url)).host;
  } catch {
    return '';
  }
};

/**
 * The Connectors screen: the list (social connectors, the email connector), `/new` (choose a factory, then its
 * form), `/outbox` (the development outbox) and `/:id` (edit; the callback URI and the "Test" of a social one).
 */
export const Connectors = ({
  api,
  path,
  endpoint,
}: {
  api: ManagementApi;
  path: string;
  endpoint: string;
}) => {
  if (path === `${base}/new`) return <AddConnector api={api} />;
  if (path === outboxPath) return <Outbox api={api} />;
  const details = /^\/console\/connectors\/([^/]+)$/.exec(path);
  if (details?.[1])
    return <ConnectorDetails api={api} id={decodeURIComponent(details[1])} endpoint={endpoint} />;
  return <ConnectorList api={api} />;
};

const ConnectorList = ({ api }: { api: ManagementApi }) => {
  const t = useT(phrases);
  const language = useLanguage();
  const [connectors, setConnectors] = useState<Connector[]>();
  const [targets, setTargets] = useState<string[]>([]);
  const [error, setError] = useState<unknown>();
  const [confirming, setConfirming] = useState<string>();
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      const [list, shown] = await Promise.all([api.listConnectors(), api.getSocialTargets()]);
      setConnectors(list);
      setTargets(shown);
    } catch (failure) {
      setError(failure);
    }
  }, [api]);
  useEffect(() => {
    void load();
  }, [load]);

  const toggle = async (target: string, shown: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      // The order of the buttons is the list's order: a target shown again goes last, the others keep theirs.
      const next = shown
        ? [...targets.filter((other) => other !== target), target]
        : targets.filter((other) => other !== target);
      setTargets(next); // at once (the switch follows the click), then as the server answers
      setTargets(await api.setSocialTargets(next));
    } catch (failure) {
      setTargets(targets);
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const remove = async (id: string) => {
    setBusy(true);
    setError(undefined);
    try {
      await api.deleteConnector(id);
      setConfirming(undefined);
      await load();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const deleteControl = (connector: Connector, name: string) =>
    confirming === connector.id ? (
      <span className="row">
        <span>
          {connector.type === 'Social' ? t('confirmDelete', { name }) : t('confirmDeleteEmail', { name })}
        </span>
        <button type="button" className="danger" disabled={busy} onClick={() => remove(connector.id)}>
          {t('yesDelete')}
        </button>
        <button type="button" onClick={() => setConfirming(undefined)}>
          {t('cancel')}
        </button>
      </span>
    ) : (
      <button
        type="button"
        onClick={() => setConfirming(connector.id)}
        aria-label={t('deleteLabel', { name })}
      >
        {t('delete')}
      </button>
    );

  const social = connectors?.filter((connector) => connector.type === 'Social') ?? [];
  const email = connectors?.find((connector) => connector.type === 'Email');
  return (
    <section className="stack">
      <div className="heading-row">
        <h1>{t('title')}</h1>
        <a className="button primary" {...linkTo(`${base}/new`)}>
          {t('add')}
        </a>
      </div>
      <ConnectorTabs current="connectors" />
      <ErrorMessage error={error} />
      {!connectors ? (
        error ? null : (
          <p aria-busy="true">{t('loading')}</p>
        )
      ) : (
        <>
          <section className="connector-group" aria-labelledby="social-title">
            <h2 id="social-title">{t('socialTitle')}</h2>
            <p className="muted">{t('socialIntro')}</p>
            {social.length === 0 ? (
              <p>{t('noSocial')}</p>
            ) : (
              <table>
                <TableHead
                  columns={[t('name'), t('target'), t('factory'), t('onSignIn')]}
                  actions={t('actions')}
                />
                <tbody>
                  {social.map((connector) => {
                    const target = connector.target ?? '';
                    const name = nameOf(connector, t, language);
                    return (
                      <tr key={connector.id}>
                        <td>
                          <a {...linkTo(`${base}/${encodeURIComponent(connector.id)}`)}>{name}</a>
                        </td>
                        <td>
                          <code>{target}</code>
                        </td>
                        <td>{connector.connectorId}</td>
                        <td>
                          <label className="check">
                            <input
                              type="checkbox"
                              disabled={busy || !target}
                              checked={targets.includes(target)}
                              onChange={(event) => toggle(target, event.target.checked)}
                              aria-label={t('showOn', { name })}
                            />{' '}
                            {targets.includes(target) ? t('shown') : t('hidden')}
                          </label>
                        </td>
                        <td>{deleteControl(connector, name)}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            )}
          </section>
          <section className="connector-group" aria-labelledby="email-title">
            <h2 id="email-title">{t('emailTitle')}</h2>
            <p className="muted">{t('emailIntro')}</p>
            {email ? (
              <table>
                <TableHead columns={[t('name'), t('server'), t('sender')]} actions={t('actions')} />
                <tbody>
                  <tr>
                    <td>
                      <a {...linkTo(`${base}/${encodeURIComponent(email.id)}`)}>
                        {nameOf(email, t, language)}
                      </a>
                    </td>
                    <td>
                      <code>{serverOf(email.config)}</code>
                    </td>
                    <td>{typeof email.config.from === 'string' ? email.config.from : ''}</td>
                    <td>{deleteControl(email, nameOf(email, t, language))}</td>
                  </tr>
                </tbody>
              </table>
            ) : (
              <>
                <p>{t('noEmail')}</p>
                <p>
                  <a className="button" {...linkTo(`${base}/new`)}>
                    {t('addEmail')}
                  </a>
                </p>
              </>
            )}
          </section>
        </>
      )}
    </section>
  );
};

const AddConnector = ({ api }: { api: ManagementApi }) => {
  const t = useT(phrases);
  const language = useLanguage();
  const [loaded, setLoaded] = useState<{ factories: ConnectorFactory[]; hasEmail: boolean }>();
  const [factory, setFactory] = useState<ConnectorFactory>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    Promise.all([api.listConnectorFactories(), api.listConnectors()]).then(
      ([factories, connectors]) =>
        setLoaded({ factories, hasEmail: connectors.some((connector) => connector.type === 'Email') }),
      setError,
    );
  }, [api]);
  const group = (type: ConnectorFactory['type'], legend: string) => {
    const list = loaded?.factories.filter((candidate) => candidate.type === type) ?? [];
    if (list.length === 0) return null;
    const taken = type === 'Email' && loaded?.hasEmail;
    return (
      <fieldset>
        <legend>{legend}</legend>
        {taken ? <p className="notice">{t('emailExists')}</p> : null}
        <div className="type-cards">
          {list.map((candidate) => (
            <button
              type="button"
              key={candidate.id}
              className="type-card"
              disabled={Boolean(taken)}
              onClick={() => setFactory(candidate)}
              aria-label={`${localized(candidate.name, language)} (${candidate.id})`}
            >
              <strong>{localized(candidate.name, language)}</strong>
              <span>{localized(candidate.description, language)}</span>
            </button>
          ))}
        </div>
      </fieldset>
    );
  };
  return (
    <section className="stack">
      <p>
        <a {...linkTo(base)}>{t('back')}</a>
      </p>
      <h1>{t('addTitle')}</h1>
      <ErrorMessage error={error} />
      {factory ? (
        <>
          <p>
            <button type="button" onClick={() => setFactory(undefined)}>
              {t('chooseAnother')}
            </button>
          </p>
          <ConnectorForm api={api} factory={factory} />
        </>
      ) : loaded ? (
        <div className="stack">
          {group('Social', t('socialKinds'))}
          {group('Email', t('emailKinds'))}
        </div>
      ) : error ? null : (
        <p aria-busy="true">{t('loading')}</p>
      )}
    </section>
  );
};

const ConnectorDetails = ({ api, id, endpoint }: { api: ManagementApi; id: string; endpoint: string }) => {
  const t = useT(phrases);
  const language = useLanguage();
  const [loaded, setLoaded] = useState<{ connector: Connector; factory: ConnectorFactory }>();
  const [error, setError] = useState<unknown>();
  const [unknownFactory, setUnknownFactory] = useState<string>();
  useEffect(() => {
    Promise.all([api.getConnector(id), api.listConnectorFactories()])
      .then(([connector, factories]) => {
        const factory = factories.find((candidate) => candidate.id === connector.connectorId);
        if (factory) setLoaded({ connector, factory });
        else setUnknownFactory(connector.connectorId);
      })
      .catch(setError);
  }, [api, id]);
  return (
    <section className="stack">
      <p>
        <a {...linkTo(base)}>{t('back')}</a>
      </p>
      <ErrorMessage
        error={error ?? (unknownFactory ? t('unknownFactory', { id: unknownFactory }) : undefined)}
      />
      {loaded ? (
        <>
          <h1>{nameOf(loaded.connector, t, language)}</h1>
          {loaded.connector.type === 'Social' ? (
            <div className="card stack">
              <h2>{t('redirectTitle')}</h2>
              <p className="muted">{t('redirectHelp')}</p>
              <CopyField
                label={t('callbackUri')}
                value={`${endpoint}/callback/${loaded.connector.id}`}
                testId="connector-callback-uri"
              />
            </div>
          ) : null}
          <ConnectorForm
            api={api}
            factory={loaded.factory}
            connector={loaded.connector}
            onSaved={(connector) => setLoaded({ connector, factory: loaded.factory })}
          />
          {loaded.connector.type === 'Social' ? (
            <ConnectorTest
              api={api}
              connector={loaded.connector}
              callbackUri={`${endpoint}/callback/${loaded.connector.id}`}
            />
          ) : null}
        </>
      ) : error || unknownFactory ? null : (
        <p aria-busy="true">{t('loading')}</p>
      )}
    </section>
  );
};
