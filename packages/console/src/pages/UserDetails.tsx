import { type FormEvent, useCallback, useEffect, useState } from 'react';
import type { ManagementApi, User, UserIdentity } from '../api.ts';
import { ErrorMessage } from '../components.tsx';
import { linkTo, navigate } from '../router.ts';
import { UserRoles } from './UserRoles.tsx';
import { displayName } from './Users.tsx';

const back = <a {...linkTo('/console/users')}>← Users</a>;

const formatDate = (value: number | null | undefined) => (value ? new Date(value).toLocaleString() : '—');

/** One user: profile and custom data, suspension, password, social connections, deletion. */
export const UserDetails = ({ api, id }: { api: ManagementApi; id: string }) => {
  const [user, setUser] = useState<User>();
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    api.getUser(id).then(setUser, setError);
  }, [api, id]);

  if (!user) {
    return (
      <section>
        <p>{back}</p>
        {error ? <ErrorMessage error={error} /> : <p aria-busy="true">Loading…</p>}
      </section>
    );
  }
  return (
    <section className="stack">
      <p>{back}</p>
      <h1>{displayName(user)}</h1>
      <p className="muted">
        User ID <code data-testid="user-id">{user.id}</code> · created {formatDate(user.createdAt)} · last
        sign-in {formatDate(user.lastSignInAt)}
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
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const toggle = async () => {
    const next = !user.isSuspended;
    if (
      next &&
      !window.confirm(
        `Suspend ${displayName(user)}? Their sessions and tokens are revoked and they cannot sign in.`,
      )
    )
      return;
    setBusy(true);
    setError(undefined);
    try {
      onChanged(await api.setUserSuspended(user.id, next));
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="card stack">
      <h2>Status</h2>
      <p data-testid="user-status">{user.isSuspended ? 'Suspended: this user cannot sign in.' : 'Active'}</p>
      <div className="row">
        <button type="button" onClick={toggle} disabled={busy}>
          {user.isSuspended ? 'Unsuspend user' : 'Suspend user'}
        </button>
      </div>
      <ErrorMessage error={error} />
    </div>
  );
};

/** A JSON object typed into a textarea: `undefined` and a message when it is not one. */
const parseObject = (text: string): { value?: Record<string, unknown>; problem?: string } => {
  if (!text.trim()) return { value: {} };
  try {
    const value: unknown = JSON.parse(text);
    if (!value || typeof value !== 'object' || Array.isArray(value))
      return { problem: 'It must be a JSON object, such as {"plan": "pro"}.' };
    return { value: value as Record<string, unknown> };
  } catch (failure) {
    return {
      problem: `It is not valid JSON: ${failure instanceof Error ? failure.message : String(failure)}`,
    };
  }
};

const textFields = [
  { key: 'username', label: 'Username', type: 'text' },
  { key: 'primaryEmail', label: 'Email', type: 'email' },
  { key: 'primaryPhone', label: 'Phone', type: 'tel' },
  { key: 'name', label: 'Name', type: 'text' },
  { key: 'avatar', label: 'Avatar URL', type: 'url' },
] as const;
type TextField = (typeof textFields)[number]['key'];

const Profile = ({ api, user, onSaved }: { api: ManagementApi; user: User; onSaved: (u: User) => void }) => {
  const [values, setValues] = useState<Record<TextField, string>>(() => ({
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
  const profileCheck = parseObject(profile);
  const customCheck = parseObject(customData);

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
      <h2 id="profile-title">Profile</h2>
      {textFields.map(({ key, label, type }) => (
        <div className="field" key={key}>
          <label htmlFor={`user-${key}`}>{label}</label>
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
        label="Profile claims (JSON)"
        value={profile}
        onChange={setProfile}
        problem={profileCheck.problem}
      />
      <JsonField
        id="user-custom-data"
        label="Custom data (JSON)"
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
          Save profile
        </button>
        {saved ? <span role="status">Saved.</span> : null}
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
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setDone(false);
    setError(undefined);
    if (!window.confirm(`Set a new password for ${displayName(user)}? They are signed out everywhere.`))
      return;
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
      <h2 id="password-title">Password</h2>
      <p className="muted">{user.hasPassword ? 'This user has a password.' : 'This user has no password.'}</p>
      <div className="field">
        <label htmlFor="user-new-password">New password</label>
        <input
          id="user-new-password"
          type="password"
          autoComplete="new-password"
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
      </div>
      <ErrorMessage error={error} />
      <div className="row">
        <button type="submit">Set password</button>
        {done ? <span role="status">Password set.</span> : null}
      </div>
    </form>
  );
};

const Identities = ({ api, user }: { api: ManagementApi; user: User }) => {
  const [identities, setIdentities] = useState<UserIdentity[]>();
  const [error, setError] = useState<unknown>();

  const load = useCallback(async () => {
    try {
      setIdentities(await api.listUserIdentities(user.id));
    } catch (failure) {
      setError(failure);
    }
  }, [api, user.id]);
  useEffect(() => {
    void load();
  }, [load]);

  const unlink = async (target: string) => {
    if (!window.confirm(`Unlink the ${target} identity? Its stored provider tokens are deleted too.`)) return;
    setError(undefined);
    try {
      await api.unlinkUserIdentity(user.id, target);
      await load();
    } catch (failure) {
      setError(failure);
    }
  };

  return (
    <div className="card stack" data-testid="social-connections">
      <h2>Social connections</h2>
      <ErrorMessage error={error} />
      {identities === undefined ? (
        error ? null : (
          <p aria-busy="true">Loading…</p>
        )
      ) : identities.length === 0 ? (
        <p className="muted">No social identity is linked.</p>
      ) : (
        <ul className="identities">
          {identities.map((identity) => (
            <li key={identity.target} className="identity" data-testid={`identity-${identity.target}`}>
              <div className="heading-row">
                <h3>{identity.target}</h3>
                <button
                  type="button"
                  onClick={() => unlink(identity.target)}
                  aria-label={`Unlink ${identity.target}`}
                >
                  Unlink
                </button>
              </div>
              <dl>
                <dt>Upstream user ID</dt>
                <dd>
                  <code>{identity.userId}</code>
                </dd>
                <dt>Stored tokens</dt>
                <dd data-testid="token-status">
                  <TokenStatus status={identity.tokenStatus} />
                </dd>
              </dl>
              <details>
                <summary>Profile details received</summary>
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
  if (!status?.stored) return <span>not stored</span>;
  return (
    <ul className="plain">
      <li>stored</li>
      <li>refresh token: {status.hasRefreshToken ? 'yes' : 'no'}</li>
      <li>scope: {status.scope ? <code>{status.scope}</code> : '—'}</li>
      {status.tokenType ? <li>type: {status.tokenType}</li> : null}
      <li>expires: {formatDate(status.expiresAt)}</li>
      <li>last stored: {formatDate(status.updatedAt)}</li>
    </ul>
  );
};

const DeleteUser = ({ api, user }: { api: ManagementApi; user: User }) => {
  const [error, setError] = useState<unknown>();
  const remove = async () => {
    if (
      !window.confirm(
        `Delete ${displayName(user)} for good? Their sessions, grants, tokens and identities go with them.`,
      )
    )
      return;
    setError(undefined);
    try {
      await api.deleteUser(user.id);
      navigate('/console/users');
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <div className="card stack">
      <h2>Delete user</h2>
      <div className="row">
        <button type="button" className="danger" onClick={remove}>
          Delete user
        </button>
      </div>
      <ErrorMessage error={error} />
    </div>
  );
};
