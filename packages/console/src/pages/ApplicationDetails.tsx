import { type FormEvent, useCallback, useEffect, useState } from 'react';
import type { Application, CreatedSecret, ManagementApi, SecretSummary } from '../api.ts';
import { CopyField, ErrorMessage, useTypeLabel } from '../components.tsx';
import { linkTo } from '../router.ts';

const lines = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

const confidential = (app: Application) => app.type === 'Traditional' || app.type === 'MachineToMachine';

/** One application: endpoint, app id, the secret shown once, redirect URIs, secrets. */
export const ApplicationDetails = ({
  api,
  id,
  endpoint,
}: {
  api: ManagementApi;
  id: string;
  endpoint: string;
}) => {
  const typeLabel = useTypeLabel();
  const [app, setApp] = useState<Application>();
  const [error, setError] = useState<unknown>();
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
    return (
      <section>
        <p>
          <a {...linkTo('/console/applications')}>← Applications</a>
        </p>
        {error ? <ErrorMessage error={error} /> : <p aria-busy="true">Loading…</p>}
      </section>
    );
  }
  return (
    <section className="stack">
      <p>
        <a {...linkTo('/console/applications')}>← Applications</a>
      </p>
      <h1>{app.name}</h1>
      <p className="muted">{typeLabel(app.type)}</p>
      <div className="card stack">
        <h2>Credentials</h2>
        <CopyField label="Endpoint" value={endpoint} testId="app-endpoint" />
        <CopyField label="App ID" value={app.id} testId="app-id" />
        {initialSecret ? <ShownOnce secret={initialSecret} name="default" /> : null}
      </div>
      {app.type !== 'MachineToMachine' ? <Uris api={api} app={app} onSaved={setApp} /> : null}
      {confidential(app) ? <Secrets api={api} app={app} /> : null}
    </section>
  );
};

const ShownOnce = ({ secret, name }: { secret: string; name: string }) => (
  <div className="shown-once" role="status">
    <CopyField
      label={name === 'default' ? 'App secret' : `Secret ${name}`}
      value={secret}
      testId={name === 'default' ? 'app-secret' : 'new-secret'}
    />
    <p className="muted">
      Secret “{name}”: copy it now. It is shown this once and cannot be read again; create another if you lose
      it.
    </p>
  </div>
);

const Uris = ({
  api,
  app,
  onSaved,
}: {
  api: ManagementApi;
  app: Application;
  onSaved: (app: Application) => void;
}) => {
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
      <h2>URIs</h2>
      <div className="field">
        <label htmlFor="redirect-uris">Redirect URIs (one per line)</label>
        <textarea
          id="redirect-uris"
          rows={3}
          value={redirects}
          onChange={(event) => setRedirects(event.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="post-logout-uris">Post sign-out redirect URIs (one per line)</label>
        <textarea
          id="post-logout-uris"
          rows={3}
          value={postLogout}
          onChange={(event) => setPostLogout(event.target.value)}
        />
      </div>
      <ErrorMessage error={error} />
      <div className="row">
        <button type="submit" className="primary">
          Save URIs
        </button>
        {saved ? <span role="status">Saved.</span> : null}
      </div>
    </form>
  );
};

const Secrets = ({ api, app }: { api: ManagementApi; app: Application }) => {
  const [secrets, setSecrets] = useState<SecretSummary[]>([]);
  const [name, setName] = useState('');
  const [createdSecret, setCreatedSecret] = useState<CreatedSecret>();
  const [error, setError] = useState<unknown>();

  const load = useCallback(async () => {
    try {
      setSecrets(await api.listSecrets(app.id));
    } catch (failure) {
      setError(failure);
    }
  }, [api, app.id]);
  useEffect(() => {
    void load();
  }, [load]);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    try {
      setCreatedSecret(await api.createSecret(app.id, name));
      setName('');
      await load();
    } catch (failure) {
      setError(failure);
    }
  };

  const remove = async (secretName: string) => {
    if (!window.confirm(`Delete the secret “${secretName}”? Apps using it stop working.`)) return;
    setError(undefined);
    try {
      await api.deleteSecret(app.id, secretName);
      if (createdSecret?.name === secretName) setCreatedSecret(undefined);
      await load();
    } catch (failure) {
      setError(failure);
    }
  };

  return (
    <div className="card stack">
      <h2>Secrets</h2>
      {createdSecret ? <ShownOnce secret={createdSecret.value} name={createdSecret.name} /> : null}
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Created</th>
            <th scope="col">Expires</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {secrets.map((secret) => (
            <tr key={secret.name}>
              <td>{secret.name}</td>
              <td>{new Date(secret.createdAt).toLocaleString()}</td>
              <td>{secret.expiresAt ? new Date(secret.expiresAt).toLocaleString() : 'Never'}</td>
              <td>
                <button
                  type="button"
                  onClick={() => remove(secret.name)}
                  aria-label={`Delete secret ${secret.name}`}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="row" onSubmit={create}>
        <label htmlFor="secret-name">New secret name</label>
        <input id="secret-name" required value={name} onChange={(event) => setName(event.target.value)} />
        <button type="submit">Create secret</button>
      </form>
      <ErrorMessage error={error} />
    </div>
  );
};
