import { type FormEvent, useEffect, useState } from 'react';
import type { ManagementApi } from '../api.ts';
import { ErrorMessage, Pager } from '../components.tsx';
import { definePhrases, type Language, useLanguage, useT } from '../i18n.ts';
import {
  type AuditLog,
  filterProblems,
  filtersFromSearch,
  isKnownLogKey,
  type KnownLogKey,
  knownLogKeys,
  type LogFilters,
  searchOf,
  toApiQuery,
} from '../logs-api.ts';
import { linkTo, useSearch } from '../router.ts';
import { TextField } from '../ui/parts.tsx';
import './audit-logs.css';

const base = '/console/logs';
const pageSize = 20;
const emptyFilters: LogFilters = { logKey: '', userId: '', applicationId: '', from: '', to: '', page: 1 };

const phrases = definePhrases({
  en: {
    title: 'Audit logs',
    intro: 'Who read or changed which secret or identity, when, and from where. Newest first.',
    filters: 'Filters',
    action: 'Action',
    anyAction: 'Any action',
    otherAction: 'Other key…',
    actionKey: 'Action key',
    actionKeyHint: 'A dotted name, such as identity_token.read',
    userId: 'User ID',
    applicationId: 'Application ID',
    from: 'From (day)',
    to: 'To (day, included)',
    apply: 'Apply filters',
    clear: 'Clear filters',
    time: 'Time',
    actor: 'Actor',
    user: 'User',
    application: 'Application',
    result: 'Result',
    Success: 'Success',
    Error: 'Error',
    actorUser: 'User',
    actorApplication: 'Application',
    actorSystem: 'Gatehouse (system)',
    detailsOf: 'details of {action}',
    entries: 'entries',
    noneYet:
      'Nothing has been recorded yet. Entries appear when someone reads or changes a secret or an identity: a stored token read, a role assigned, a lockout lifted, an identity linked.',
    noMatch: 'No entry matches these filters.',
    loading: 'Loading…',
    badFilters: 'These filters cannot be used:',
    fromInvalid: 'The “from” day is not a date (YYYY-MM-DD).',
    toInvalid: 'The “to” day is not a date (YYYY-MM-DD).',
    rangeReversed: 'The “from” day is after the “to” day.',
    userIdInvalid: 'A user ID has only letters, digits, dots, dashes and underscores (at most 128).',
    appIdInvalid: 'An application ID has only letters, digits, dots, dashes and underscores (at most 128).',
    back: '← Audit logs',
    entryTitle: 'Audit log entry',
    entryId: 'Entry ID',
    target: 'Connector target',
    ip: 'IP address',
    userAgent: 'User agent',
    payload: 'Payload (JSON)',
    userLogs: 'All entries about this user',
    none: '—',
  },
  th: {
    title: 'บันทึกการตรวจสอบ',
    intro: 'ใครอ่านหรือเปลี่ยนข้อมูลลับหรือตัวตนใด เมื่อใด และจากที่ใด เรียงจากล่าสุดก่อน',
    filters: 'ตัวกรอง',
    action: 'การกระทำ',
    anyAction: 'ทุกการกระทำ',
    otherAction: 'คีย์อื่น…',
    actionKey: 'คีย์การกระทำ',
    actionKeyHint: 'ชื่อที่คั่นด้วยจุด เช่น identity_token.read',
    userId: 'รหัสผู้ใช้',
    applicationId: 'รหัสแอปพลิเคชัน',
    from: 'ตั้งแต่ (วัน)',
    to: 'ถึง (วัน รวมวันนั้นด้วย)',
    apply: 'ใช้ตัวกรอง',
    clear: 'ล้างตัวกรอง',
    time: 'เวลา',
    actor: 'ผู้กระทำ',
    user: 'ผู้ใช้',
    application: 'แอปพลิเคชัน',
    result: 'ผลลัพธ์',
    Success: 'สำเร็จ',
    Error: 'ผิดพลาด',
    actorUser: 'ผู้ใช้',
    actorApplication: 'แอปพลิเคชัน',
    actorSystem: 'Gatehouse (ระบบ)',
    detailsOf: 'รายละเอียดของ {action}',
    entries: 'รายการ',
    noneYet:
      'ยังไม่มีการบันทึกใด ๆ รายการจะปรากฏเมื่อมีผู้อ่านหรือเปลี่ยนข้อมูลลับหรือตัวตน เช่น การอ่านโทเค็นที่จัดเก็บไว้ การกำหนดบทบาท การปลดล็อก หรือการเชื่อมโยงบัญชี',
    noMatch: 'ไม่มีรายการที่ตรงกับตัวกรองเหล่านี้',
    loading: 'กำลังโหลด…',
    badFilters: 'ใช้ตัวกรองเหล่านี้ไม่ได้:',
    fromInvalid: 'วัน “ตั้งแต่” ไม่ใช่วันที่ที่ถูกต้อง (YYYY-MM-DD)',
    toInvalid: 'วัน “ถึง” ไม่ใช่วันที่ที่ถูกต้อง (YYYY-MM-DD)',
    rangeReversed: 'วัน “ตั้งแต่” อยู่หลังวัน “ถึง”',
    userIdInvalid: 'รหัสผู้ใช้มีได้เฉพาะตัวอักษร ตัวเลข จุด ขีด และขีดล่าง (ไม่เกิน 128 ตัว)',
    appIdInvalid: 'รหัสแอปพลิเคชันมีได้เฉพาะตัวอักษร ตัวเลข จุด ขีด และขีดล่าง (ไม่เกิน 128 ตัว)',
    back: '← บันทึกการตรวจสอบ',
    entryTitle: 'รายการบันทึกการตรวจสอบ',
    entryId: 'รหัสรายการ',
    target: 'เป้าหมายตัวเชื่อมต่อ',
    ip: 'ที่อยู่ IP',
    userAgent: 'User agent',
    payload: 'เพย์โหลด (JSON)',
    userLogs: 'รายการทั้งหมดเกี่ยวกับผู้ใช้นี้',
    none: '—',
  },
});

/** A human description of each known action (docs/audit-log.md); an unknown key is shown as it is. */
const keyPhrases = definePhrases<KnownLogKey>({
  en: {
    'user.unlocked': 'Sign-in lockout lifted',
    'password.changed': 'Password changed by the user',
    'email.changed': 'Email changed or removed by the user',
    'phone.changed': 'Phone number changed or removed by the user',
    'identity.linked': 'Social identity linked',
    'identity.updated': 'Social identity details replaced',
    'identity.unlinked': 'Social identity unlinked',
    'identity_token.stored': 'Provider tokens stored',
    'identity_token.read': 'Stored access token handed out',
    'identity_token.read_failed': 'Stored token read failed',
    'identity_token.read_denied': 'Stored token read refused (scope missing)',
    'identity_token.refreshed': 'Provider tokens refreshed',
    'identity_token.deleted': 'Provider tokens deleted',
    'role.user_assigned': 'Role assigned to a user',
    'role.user_removed': 'Role removed from a user',
    'role.scopes_granted': 'Scopes granted to a role',
    'role.scope_revoked': 'Scope revoked from a role',
    'role.applications_assigned': 'Role assigned to applications',
    'role.application_removed': 'Role removed from an application',
  },
  th: {
    'user.unlocked': 'ปลดล็อกการลงชื่อเข้าใช้',
    'password.changed': 'ผู้ใช้เปลี่ยนรหัสผ่าน',
    'email.changed': 'ผู้ใช้เปลี่ยนหรือลบอีเมล',
    'phone.changed': 'ผู้ใช้เปลี่ยนหรือลบหมายเลขโทรศัพท์',
    'identity.linked': 'เชื่อมโยงบัญชีโซเชียล',
    'identity.updated': 'แทนที่ข้อมูลบัญชีโซเชียล',
    'identity.unlinked': 'ยกเลิกการเชื่อมโยงบัญชีโซเชียล',
    'identity_token.stored': 'จัดเก็บโทเค็นของผู้ให้บริการ',
    'identity_token.read': 'ส่งมอบโทเค็นการเข้าถึงที่จัดเก็บไว้',
    'identity_token.read_failed': 'อ่านโทเค็นที่จัดเก็บไว้ไม่สำเร็จ',
    'identity_token.read_denied': 'ปฏิเสธการอ่านโทเค็นที่จัดเก็บไว้ (ไม่มีสโคป)',
    'identity_token.refreshed': 'รีเฟรชโทเค็นของผู้ให้บริการ',
    'identity_token.deleted': 'ลบโทเค็นของผู้ให้บริการ',
    'role.user_assigned': 'กำหนดบทบาทให้ผู้ใช้',
    'role.user_removed': 'นำบทบาทออกจากผู้ใช้',
    'role.scopes_granted': 'ให้สโคปแก่บทบาท',
    'role.scope_revoked': 'เพิกถอนสโคปจากบทบาท',
    'role.applications_assigned': 'กำหนดบทบาทให้แอปพลิเคชัน',
    'role.application_removed': 'นำบทบาทออกจากแอปพลิเคชัน',
  },
});

const useDescribeKey = () => {
  const t = useT(keyPhrases);
  return (key: string) => (isKnownLogKey(key) ? t(key) : key);
};

const formatTime = (value: number, language: Language) =>
  new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'medium' }).format(value);

const userLink = (userId: string) => `/console/users/${encodeURIComponent(userId)}`;

/** The Audit logs screen: the filtered list (`/console/logs?…`) and one entry (`/console/logs/:id`). */
export const AuditLogs = ({ api, path }: { api: ManagementApi; path: string }) => {
  const details = /^\/console\/logs\/([^/]+)$/.exec(path);
  return details?.[1] ? <LogDetails api={api} id={decodeURIComponent(details[1])} /> : <LogList api={api} />;
};

const LogList = ({ api }: { api: ManagementApi }) => {
  const t = useT(phrases);
  const describeKey = useDescribeKey();
  const language = useLanguage();
  const { search, go } = useSearch();
  const filters = filtersFromSearch(search);
  const problems = filterProblems(filters);
  const [list, setList] = useState<{ items: AuditLog[]; total: number; search: string }>();
  const [error, setError] = useState<unknown>();

  // biome-ignore lint/correctness/useExhaustiveDependencies: `search` is what the filters are read from.
  useEffect(() => {
    let cancelled = false;
    setError(undefined);
    if (problems.length > 0) return;
    api.listLogs(toApiQuery(filters, pageSize)).then(
      (page) => !cancelled && setList({ ...page, search }),
      (failure: unknown) => !cancelled && setError(failure),
    );
    return () => {
      cancelled = true;
    };
  }, [api, search]);

  const filtered = Boolean(
    filters.logKey || filters.userId || filters.applicationId || filters.from || filters.to,
  );
  // The list shown belongs to the current filters only (no stale rows under new filters while loading).
  const current = list?.search === search ? list : undefined;

  return (
    <section className="audit-logs">
      <h1>{t('title')}</h1>
      <p className="muted">{t('intro')}</p>
      <FilterForm key={search} filters={filters} onApply={(next) => go(searchOf({ ...next, page: 1 }))} />
      {problems.length > 0 ? (
        <div className="error" role="alert" data-testid="filter-problems">
          <p>{t('badFilters')}</p>
          <ul>
            {problems.map((problem) => (
              <li key={problem}>{t(problem)}</li>
            ))}
          </ul>
        </div>
      ) : (
        <ErrorMessage error={error} />
      )}
      {problems.length > 0 || error ? null : current ? (
        <>
          {current.items.length === 0 ? (
            <p className="muted" data-testid="logs-empty">
              {filtered ? t('noMatch') : t('noneYet')}
            </p>
          ) : (
            <div className="table-scroll">
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('time')}</th>
                    <th scope="col">{t('action')}</th>
                    <th scope="col">{t('actor')}</th>
                    <th scope="col">{t('user')}</th>
                    <th scope="col">{t('application')}</th>
                    <th scope="col">{t('result')}</th>
                  </tr>
                </thead>
                <tbody>
                  {current.items.map((entry) => {
                    const time = formatTime(entry.createdAt, language);
                    return (
                      <tr key={entry.id} data-testid="log-row" data-key={entry.key}>
                        <td className="nowrap">
                          <a {...linkTo(`${base}/${encodeURIComponent(entry.id)}${search}`)}>
                            <time dateTime={new Date(entry.createdAt).toISOString()}>{time}</time>
                            <span className="visually-hidden">
                              {' '}
                              ({t('detailsOf', { action: describeKey(entry.key) })})
                            </span>
                          </a>
                        </td>
                        <td>
                          {describeKey(entry.key)}
                          {isKnownLogKey(entry.key) ? (
                            <>
                              <br />
                              <code className="log-key">{entry.key}</code>
                            </>
                          ) : null}
                        </td>
                        <td>
                          <Actor actor={entry.payload.actor} />
                        </td>
                        <td>
                          {entry.payload.userId ? (
                            <a {...linkTo(userLink(entry.payload.userId))}>
                              <code>{entry.payload.userId}</code>
                            </a>
                          ) : (
                            t('none')
                          )}
                        </td>
                        <td>
                          {entry.payload.applicationId ? (
                            <code>{entry.payload.applicationId}</code>
                          ) : (
                            t('none')
                          )}
                        </td>
                        <td>
                          <Result result={entry.payload.result} />
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
          <Pager
            page={filters.page}
            pageSize={pageSize}
            total={current.total}
            noun={t('entries')}
            onPage={(page) => go(searchOf({ ...filters, page }))}
          />
        </>
      ) : (
        <p aria-busy="true">{t('loading')}</p>
      )}
    </section>
  );
};

const otherKey = '__other';

/** The filters as a form; applying it puts them in the URL (page 1). */
/** The filters typed in as they are: ids in monospace, and the dates. */
const filterFields = [
  { id: 'log-user-id', name: 'userId', type: 'id' },
  { id: 'log-application-id', name: 'applicationId', type: 'id' },
  { id: 'log-from', name: 'from', type: 'date' },
  { id: 'log-to', name: 'to', type: 'date' },
] as const;

const FilterForm = ({ filters, onApply }: { filters: LogFilters; onApply: (next: LogFilters) => void }) => {
  const t = useT(phrases);
  const describeKey = useDescribeKey();
  const [draft, setDraft] = useState(filters);
  const [keyChoice, setKeyChoice] = useState(
    !filters.logKey ? '' : isKnownLogKey(filters.logKey) ? filters.logKey : otherKey,
  );
  const set = (name: keyof Omit<LogFilters, 'page'>) => (event: { target: { value: string } }) =>
    setDraft({ ...draft, [name]: event.target.value });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply({
      ...draft,
      logKey: keyChoice === otherKey ? draft.logKey.trim() : keyChoice,
      userId: draft.userId.trim(),
      applicationId: draft.applicationId.trim(),
    });
  };
  const any = Boolean(
    filters.logKey || filters.userId || filters.applicationId || filters.from || filters.to,
  );

  return (
    <form className="card log-filters" onSubmit={submit} aria-labelledby="log-filters-title">
      <h2 id="log-filters-title">{t('filters')}</h2>
      <div className="filter-grid">
        <div className="field">
          <label htmlFor="log-key">{t('action')}</label>
          <select id="log-key" value={keyChoice} onChange={(event) => setKeyChoice(event.target.value)}>
            <option value="">{t('anyAction')}</option>
            {knownLogKeys.map((key) => (
              <option key={key} value={key}>
                {describeKey(key)} ({key})
              </option>
            ))}
            <option value={otherKey}>{t('otherAction')}</option>
          </select>
        </div>
        {keyChoice === otherKey ? (
          <TextField
            id="log-key-text"
            label={t('actionKey')}
            className="mono"
            value={draft.logKey}
            placeholder={t('actionKeyHint')}
            onChange={set('logKey')}
          />
        ) : null}
        {filterFields.map(({ id, name, type }) => (
          <TextField
            key={id}
            id={id}
            label={t(name)}
            {...(type === 'date' ? { type } : { className: 'mono' })}
            value={draft[name]}
            onChange={set(name)}
          />
        ))}
      </div>
      <div className="row">
        <button type="submit" className="primary">
          {t('apply')}
        </button>
        {any ? (
          <button type="button" onClick={() => onApply(emptyFilters)}>
            {t('clear')}
          </button>
        ) : null}
      </div>
    </form>
  );
};

const Actor = ({ actor }: { actor: AuditLog['payload']['actor'] }) => {
  const t = useT(phrases);
  if (actor.type === 'system') return <span>{t('actorSystem')}</span>;
  const label = actor.type === 'user' ? t('actorUser') : t('actorApplication');
  if (!actor.id) return <span>{label}</span>;
  return (
    <span>
      {label}{' '}
      {actor.type === 'user' ? (
        <a {...linkTo(userLink(actor.id))}>
          <code>{actor.id}</code>
        </a>
      ) : (
        <code>{actor.id}</code>
      )}
    </span>
  );
};

const Result = ({ result }: { result: AuditLog['payload']['result'] }) => {
  const t = useT(phrases);
  return <span className={`log-result log-result-${result.toLowerCase()}`}>{t(result)}</span>;
};

/** One entry: who, whom, where, and its payload as JSON. */
const LogDetails = ({ api, id }: { api: ManagementApi; id: string }) => {
  const t = useT(phrases);
  const describeKey = useDescribeKey();
  const language = useLanguage();
  const [entry, setEntry] = useState<AuditLog>();
  const [error, setError] = useState<unknown>();
  // Back to the list as it was filtered: the list puts its query on the links to entries.
  const back = (
    <p>
      <a {...linkTo(`${base}${window.location.search}`)}>{t('back')}</a>
    </p>
  );

  useEffect(() => {
    let cancelled = false;
    setEntry(undefined);
    setError(undefined);
    api.getLog(id).then(
      (found) => !cancelled && setEntry(found),
      (failure: unknown) => !cancelled && setError(failure),
    );
    return () => {
      cancelled = true;
    };
  }, [api, id]);

  if (!entry) {
    return (
      <section>
        {back}
        {error ? <ErrorMessage error={error} /> : <p aria-busy="true">{t('loading')}</p>}
      </section>
    );
  }
  const { payload } = entry;
  const optional = (value: string | undefined) => (value ? <code>{value}</code> : t('none'));
  return (
    <section className="stack audit-logs">
      {back}
      <h1>{t('entryTitle')}</h1>
      <dl className="log-entry card">
        <dt>{t('time')}</dt>
        <dd>
          <time dateTime={new Date(entry.createdAt).toISOString()}>
            {formatTime(entry.createdAt, language)}
          </time>
        </dd>
        <dt>{t('action')}</dt>
        <dd>
          {describeKey(entry.key)} <code data-testid="log-key">{entry.key}</code>
        </dd>
        <dt>{t('result')}</dt>
        <dd>
          <Result result={payload.result} />
        </dd>
        <dt>{t('actor')}</dt>
        <dd>
          <Actor actor={payload.actor} />
        </dd>
        <dt>{t('user')}</dt>
        <dd>
          {payload.userId ? (
            <>
              <a {...linkTo(userLink(payload.userId))}>
                <code>{payload.userId}</code>
              </a>{' '}
              ·{' '}
              <a {...linkTo(`${base}${searchOf({ ...emptyFilters, userId: payload.userId })}`)}>
                {t('userLogs')}
              </a>
            </>
          ) : (
            t('none')
          )}
        </dd>
        <dt>{t('application')}</dt>
        <dd>{optional(payload.applicationId)}</dd>
        <dt>{t('target')}</dt>
        <dd>{optional(payload.target)}</dd>
        <dt>{t('ip')}</dt>
        <dd>{optional(payload.ip)}</dd>
        <dt>{t('userAgent')}</dt>
        <dd>{optional(payload.userAgent)}</dd>
        <dt>{t('entryId')}</dt>
        <dd>
          <code>{entry.id}</code>
        </dd>
      </dl>
      <h2>{t('payload')}</h2>
      <pre className="mono" data-testid="log-payload">
        {JSON.stringify(payload, null, 2)}
      </pre>
    </section>
  );
};
