import { type FormEvent, useCallback, useEffect, useState } from 'react';
import type { ManagementApi, User, UserIdentity } from '../api.ts';
import { ErrorMessage } from '../components.tsx';
import { definePhrases, type Language, useLanguage, useT } from '../i18n.ts';
import { linkTo, navigate } from '../router.ts';
import { useAttempt, useLoad } from '../ui/hooks.ts';
import { ActionCard, DetailsPending, TextField } from '../ui/parts.tsx';
import { UserRoles } from './UserRoles.tsx';
import { displayName } from './Users.tsx';

const phrases = definePhrases({
  en: {
    back: '← Users',
    loading: 'Loading…',
    userId: 'User ID',
    created: 'created',
    lastSignIn: 'last sign-in',
    logs: 'Audit logs about this user',
    status: 'Status',
    confirmSuspend: 'Suspend {name}? Their sessions and tokens are revoked and they cannot sign in.',
    suspendedText: 'Suspended: this user cannot sign in.',
    active: 'Active',
    unsuspend: 'Unsuspend user',
    suspend: 'Suspend user',
    notObject: 'It must be a JSON object, such as {"plan": "pro"}.',
    notJson: 'It is not valid JSON: {reason}',
    profile: 'Profile',
    username: 'Username',
    email: 'Email',
    phone: 'Phone',
    name: 'Name',
    avatar: 'Avatar URL',
    profileJson: 'Profile claims (JSON)',
    customData: 'Custom data (JSON)',
    saveProfile: 'Save profile',
    saved: 'Saved.',
    confirmPassword: 'Set a new password for {name}? They are signed out everywhere.',
    password: 'Password',
    hasPassword: 'This user has a password.',
    noPassword: 'This user has no password.',
    newPassword: 'New password',
    setPassword: 'Set password',
    passwordSet: 'Password set.',
    confirmUnlink: 'Unlink the {target} identity? Its stored provider tokens are deleted too.',
    socialConnections: 'Social connections',
    noIdentity: 'No social identity is linked.',
    unlinkLabel: 'Unlink {target}',
    unlink: 'Unlink',
    upstreamUserId: 'Upstream user ID',
    storedTokens: 'Stored tokens',
    detailsReceived: 'Profile details received',
    notStored: 'not stored',
    stored: 'stored',
    refreshToken: 'refresh token: {answer}',
    yes: 'yes',
    no: 'no',
    scope: 'scope:',
    type: 'type: {type}',
    expires: 'expires: {date}',
    lastStored: 'last stored: {date}',
    confirmDelete: 'Delete {name} for good? Their sessions, grants, tokens and identities go with them.',
    deleteUser: 'Delete user',
  },
  th: {
    back: '← ผู้ใช้',
    loading: 'กำลังโหลด…',
    userId: 'รหัสผู้ใช้',
    created: 'สร้างเมื่อ',
    lastSignIn: 'ลงชื่อเข้าใช้ล่าสุด',
    logs: 'บันทึกการตรวจสอบเกี่ยวกับผู้ใช้นี้',
    status: 'สถานะ',
    confirmSuspend: 'ระงับ {name} ใช่หรือไม่? เซสชันและโทเค็นทั้งหมดจะถูกเพิกถอน และผู้ใช้จะลงชื่อเข้าใช้ไม่ได้',
    suspendedText: 'ถูกระงับ: ผู้ใช้นี้ลงชื่อเข้าใช้ไม่ได้',
    active: 'ใช้งานอยู่',
    unsuspend: 'ยกเลิกการระงับผู้ใช้',
    suspend: 'ระงับผู้ใช้',
    notObject: 'ต้องเป็นออบเจ็กต์ JSON เช่น {"plan": "pro"}',
    notJson: 'ไม่ใช่ JSON ที่ถูกต้อง: {reason}',
    profile: 'โปรไฟล์',
    username: 'ชื่อผู้ใช้',
    email: 'อีเมล',
    phone: 'โทรศัพท์',
    name: 'ชื่อ',
    avatar: 'URL รูปประจำตัว',
    profileJson: 'เคลมโปรไฟล์ (JSON)',
    customData: 'ข้อมูลกำหนดเอง (JSON)',
    saveProfile: 'บันทึกโปรไฟล์',
    saved: 'บันทึกแล้ว',
    confirmPassword: 'ตั้งรหัสผ่านใหม่ให้ {name} ใช่หรือไม่? ผู้ใช้จะถูกออกจากระบบทุกที่',
    password: 'รหัสผ่าน',
    hasPassword: 'ผู้ใช้นี้มีรหัสผ่านแล้ว',
    noPassword: 'ผู้ใช้นี้ยังไม่มีรหัสผ่าน',
    newPassword: 'รหัสผ่านใหม่',
    setPassword: 'ตั้งรหัสผ่าน',
    passwordSet: 'ตั้งรหัสผ่านแล้ว',
    confirmUnlink: 'ยกเลิกการเชื่อมโยงบัญชี {target} ใช่หรือไม่? โทเค็นของผู้ให้บริการที่จัดเก็บไว้จะถูกลบด้วย',
    socialConnections: 'การเชื่อมต่อโซเชียล',
    noIdentity: 'ยังไม่มีบัญชีโซเชียลที่เชื่อมโยง',
    unlinkLabel: 'ยกเลิกการเชื่อมโยง {target}',
    unlink: 'ยกเลิกการเชื่อมโยง',
    upstreamUserId: 'รหัสผู้ใช้ที่ผู้ให้บริการ',
    storedTokens: 'โทเค็นที่จัดเก็บไว้',
    detailsReceived: 'ข้อมูลโปรไฟล์ที่ได้รับ',
    notStored: 'ไม่ได้จัดเก็บ',
    stored: 'จัดเก็บแล้ว',
    refreshToken: 'รีเฟรชโทเค็น: {answer}',
    yes: 'มี',
    no: 'ไม่มี',
    scope: 'สโคป:',
    type: 'ชนิด: {type}',
    expires: 'หมดอายุ: {date}',
    lastStored: 'จัดเก็บล่าสุด: {date}',
    confirmDelete: 'ลบ {name} ถาวรใช่หรือไม่? เซสชัน การอนุญาต โทเค็น และบัญชีที่เชื่อมโยงจะถูกลบไปด้วย',
    deleteUser: 'ลบผู้ใช้',
  },
});

const Back = () => {
  const t = useT(phrases);
  return <a {...linkTo('/console/users')}>{t('back')}</a>;
};

const formatDate = (value: number | null | undefined, language: Language) =>
  value ? new Date(value).toLocaleString(language) : '—';

/** One user: profile and custom data, suspension, password, social connections, deletion. */
export const UserDetails = ({ api, id }: { api: ManagementApi; id: string }) => {
  const t = useT(phrases);
  const language = useLanguage();
  const [user, setUser] = useState<User>();
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    api.getUser(id).then(setUser, setError);
  }, [api, id]);

  if (!user) return <DetailsPending back={<Back />} error={error} loading={t('loading')} />;
  return (
    <section className="stack">
      <p>
        <Back />
      </p>
      <h1>{displayName(user)}</h1>
      <p className="muted">
        {t('userId')} <code data-testid="user-id">{user.id}</code> · {t('created')}{' '}
        {formatDate(user.createdAt, language)} · {t('lastSignIn')} {formatDate(user.lastSignInAt, language)}
      </p>
      <p>
        <a {...linkTo(`/console/logs?userId=${encodeURIComponent(user.id)}`)}>{t('logs')}</a>
      </p>
      <Status api={api} user={user} onChanged={setUser} />
      <Profile api={api} user={user} onSaved={setUser} />
      <Password api={api} user={user} onChanged={setUser} />
      <UserRoles api={api} userId={user.id} />
      <Identities api={api} user={user} />
      <DeleteUser api={api} user={user} />
    </section>
  );
};

const Status = ({
  api,
  user,
  onChanged,
}: {
  api: ManagementApi;
  user: User;
  onChanged: (u: User) => void;
}) => {
  const t = useT(phrases);
  const { error, attempt } = useAttempt();
  const [busy, setBusy] = useState(false);
  const toggle = async () => {
    const next = !user.isSuspended;
    if (next && !window.confirm(t('confirmSuspend', { name: displayName(user) }))) return;
    setBusy(true);
    await attempt(async () => onChanged(await api.setUserSuspended(user.id, next)));
    setBusy(false);
  };
  return (
    <ActionCard
      title={t('status')}
      button={user.isSuspended ? t('unsuspend') : t('suspend')}
      busy={busy}
      error={error}
      onClick={toggle}
    >
      <p data-testid="user-status">{user.isSuspended ? t('suspendedText') : t('active')}</p>
    </ActionCard>
  );
};

/** A JSON object typed into a textarea: `undefined` and a message when it is not one. */
const parseObject = (
  text: string,
  t: (key: 'notObject' | 'notJson', vars?: Record<string, string>) => string,
): { value?: Record<string, unknown>; problem?: string } => {
  if (!text.trim()) return { value: {} };
  try {
    const value: unknown = JSON.parse(text);
    if (!value || typeof value !== 'object' || Array.isArray(value)) return { problem: t('notObject') };
    return { value: value as Record<string, unknown> };
  } catch (failure) {
    return {
      problem: t('notJson', { reason: failure instanceof Error ? failure.message : String(failure) }),
    };
  }
};

const textFields = [
  { key: 'username', label: 'username', type: 'text' },
  { key: 'primaryEmail', label: 'email', type: 'email' },
  { key: 'primaryPhone', label: 'phone', type: 'tel' },
  { key: 'name', label: 'name', type: 'text' },
  { key: 'avatar', label: 'avatar', type: 'url' },
] as const;
type ProfileKey = (typeof textFields)[number]['key'];

const Profile = ({ api, user, onSaved }: { api: ManagementApi; user: User; onSaved: (u: User) => void }) => {
  const t = useT(phrases);
  const [values, setValues] = useState<Record<ProfileKey, string>>(() => ({
    username: user.username ?? '',
    primaryEmail: user.primaryEmail ?? '',
    primaryPhone: user.primaryPhone ?? '',
    name: user.name ?? '',
    avatar: user.avatar ?? '',
  }));
  const [profile, setProfile] = useState(() => JSON.stringify(user.profile ?? {}, null, 2));
  const [customData, setCustomData] = useState(() => JSON.stringify(user.customData ?? {}, null, 2));
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  const profileCheck = parseObject(profile, t);
  const customCheck = parseObject(customData, t);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    setError(undefined);
    if (!profileCheck.value || !customCheck.value) return;
    const fields = Object.fromEntries(
      textFields.map(({ key }) => [key, values[key].trim() === '' ? null : values[key].trim()]),
    );
    try {
      onSaved(
        await api.updateUser(user.id, {
          ...fields,
          profile: profileCheck.value,
          customData: customCheck.value,
        }),
      );
      setSaved(true);
    } catch (failure) {
      setError(failure);
    }
  };

  return (
    <form className="card stack" onSubmit={submit} aria-labelledby="profile-title" noValidate>
      <h2 id="profile-title">{t('profile')}</h2>
      {textFields.map(({ key, label, type }) => (
        <div className="field" key={key}>
          <label htmlFor={`user-${key}`}>{t(label)}</label>
          <input
            id={`user-${key}`}
            type={type}
            autoComplete="off"
            value={values[key]}
            onChange={(event) => setValues({ ...values, [key]: event.target.value })}
          />
        </div>
      ))}
      <JsonField
        id="user-profile-json"
        label={t('profileJson')}
        value={profile}
        onChange={setProfile}
        problem={profileCheck.problem}
      />
      <JsonField
        id="user-custom-data"
        label={t('customData')}
        value={customData}
        onChange={setCustomData}
        problem={customCheck.problem}
      />
      <ErrorMessage error={error} />
      <div className="row">
        <button
          type="submit"
          className="primary"
          disabled={Boolean(profileCheck.problem || customCheck.problem)}
        >
          {t('saveProfile')}
        </button>
        {saved ? <span role="status">{t('saved')}</span> : null}
      </div>
    </form>
  );
};

const JsonField = ({
  id,
  label,
  value,
  onChange,
  problem,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  problem?: string;
}) => (
  <div className="field">
    <label htmlFor={id}>{label}</label>
    <textarea
      id={id}
      className="mono"
      rows={5}
      spellCheck={false}
      value={value}
      aria-invalid={problem ? true : undefined}
      aria-describedby={problem ? `${id}-problem` : undefined}
      onChange={(event) => onChange(event.target.value)}
    />
    {problem ? (
      <p id={`${id}-problem`} className="error">
        {problem}
      </p>
    ) : null}
  </div>
);

const Password = ({
  api,
  user,
  onChanged,
}: {
  api: ManagementApi;
  user: User;
  onChanged: (u: User) => void;
}) => {
  const t = useT(phrases);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setDone(false);
    setError(undefined);
    if (!window.confirm(t('confirmPassword', { name: displayName(user) }))) return;
    try {
      onChanged(await api.setUserPassword(user.id, password));
      setPassword('');
      setDone(true);
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <form className="card stack" onSubmit={submit} aria-labelledby="password-title">
      <h2 id="password-title">{t('password')}</h2>
      <p className="muted">{user.hasPassword ? t('hasPassword') : t('noPassword')}</p>
      <TextField
        id="user-new-password"
        label={t('newPassword')}
        type="password"
        autoComplete="new-password"
        required
        value={password}
        onChange={(event) => setPassword(event.target.value)}
      />
      <ErrorMessage error={error} />
      <div className="row">
        <button type="submit">{t('setPassword')}</button>
        {done ? <span role="status">{t('passwordSet')}</span> : null}
      </div>
    </form>
  );
};

const Identities = ({ api, user }: { api: ManagementApi; user: User }) => {
  const t = useT(phrases);
  const fetch = useCallback(() => api.listUserIdentities(user.id), [api, user.id]);
  const { value: identities, error, change } = useLoad(fetch, { clearError: false });

  const unlink = async (target: string) => {
    if (!window.confirm(t('confirmUnlink', { target }))) return;
    await change(() => api.unlinkUserIdentity(user.id, target));
  };

  return (
    <div className="card stack" data-testid="social-connections">
      <h2>{t('socialConnections')}</h2>
      <ErrorMessage error={error} />
      {identities === undefined ? (
        error ? null : (
          <p aria-busy="true">{t('loading')}</p>
        )
      ) : identities.length === 0 ? (
        <p className="muted">{t('noIdentity')}</p>
      ) : (
        <ul className="identities">
          {identities.map((identity) => (
            <li key={identity.target} className="identity" data-testid={`identity-${identity.target}`}>
              <div className="heading-row">
                <h3>{identity.target}</h3>
                <button
                  type="button"
                  onClick={() => unlink(identity.target)}
                  aria-label={t('unlinkLabel', { target: identity.target })}
                >
                  {t('unlink')}
                </button>
              </div>
              <dl>
                <dt>{t('upstreamUserId')}</dt>
                <dd>
                  <code>{identity.userId}</code>
                </dd>
                <dt>{t('storedTokens')}</dt>
                <dd data-testid="token-status">
                  <TokenStatus status={identity.tokenStatus} />
                </dd>
              </dl>
              <details>
                <summary>{t('detailsReceived')}</summary>
                <pre className="mono">{JSON.stringify(identity.details ?? {}, null, 2)}</pre>
              </details>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
};

const TokenStatus = ({ status }: { status: UserIdentity['tokenStatus'] }) => {
  const t = useT(phrases);
  const language = useLanguage();
  if (!status?.stored) return <span>{t('notStored')}</span>;
  return (
    <ul className="plain">
      <li>{t('stored')}</li>
      <li>{t('refreshToken', { answer: status.hasRefreshToken ? t('yes') : t('no') })}</li>
      <li>
        {t('scope')} {status.scope ? <code>{status.scope}</code> : '—'}
      </li>
      {status.tokenType ? <li>{t('type', { type: status.tokenType })}</li> : null}
      <li>{t('expires', { date: formatDate(status.expiresAt, language) })}</li>
      <li>{t('lastStored', { date: formatDate(status.updatedAt, language) })}</li>
    </ul>
  );
};

const DeleteUser = ({ api, user }: { api: ManagementApi; user: User }) => {
  const t = useT(phrases);
  const { error, attempt } = useAttempt();
  const remove = async () => {
    if (!window.confirm(t('confirmDelete', { name: displayName(user) }))) return;
    await attempt(async () => {
      await api.deleteUser(user.id);
      navigate('/console/users');
    });
  };
  return (
    <ActionCard title={t('deleteUser')} button={t('deleteUser')} danger error={error} onClick={remove} />
  );
};
