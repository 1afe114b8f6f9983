import { type FormEvent, useCallback, useEffect, useState } from 'react';
import type { Application, ApplicationType, ManagementApi } from '../api.ts';
import { applicationTypes, ErrorMessage, Pager, useTypeLabel } from '../components.tsx';
import { linkTo, navigate } from '../router.ts';

const pageSize = 20;

const typeHints: Record<ApplicationType, string> = {
  Traditional: 'A server-rendered web app with a secret (Express, Next.js, Flask…).',
  SPA: 'Runs in the browser, signs in with PKCE, has no secret.',
  Native: 'A mobile or desktop app, PKCE and a custom-scheme redirect.',
  MachineToMachine: 'A service calling APIs with its own credentials.',
};

/** The applications of this Gatehouse, paged, with a form to create one by type. */
export const Applications = ({ api }: { api: ManagementApi }) => {
  const typeLabel = useTypeLabel();
  const [page, setPage] = useState(1);
  const [list, setList] = useState<{ items: Application[]; total: number }>();
  const [error, setError] = useState<unknown>();
  const [creating, setCreating] = useState(false);

  const load = useCallback(async () => {
    setError(undefined);
    try {
      setList(await api.listApplications(page, pageSize));
    } catch (failure) {
      setError(failure);
    }
  }, [api, page]);
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section>
      <div className="heading-row">
        <h1>Applications</h1>
        <button type="button" className="primary" onClick={() => setCreating(true)} disabled={creating}>
          Create application
        </button>
      </div>
      {creating ? <CreateApplication api={api} onCancel={() => setCreating(false)} /> : null}
      <ErrorMessage error={error} />
      {list ? (
        <>
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">App ID</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((app) => (
                <tr key={app.id}>
                  <td>
                    <a {...linkTo(`/console/applications/${encodeURIComponent(app.id)}`)}>{app.name}</a>
                  </td>
                  <td>{typeLabel(app.type)}</td>
                  <td>
                    <code>{app.id}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager page={page} pageSize={pageSize} total={list.total} noun="applications" onPage={setPage} />
        </>
      ) : (
        <p aria-busy="true">Loading…</p>
      )}
    </section>
  );
};

const CreateApplication = ({ api, onCancel }: { api: ManagementApi; onCancel: () => void }) => {
  const [name, setName] = useState('');
  const [type, setType] = useState<ApplicationType>('Traditional');
  const typeLabel = useTypeLabel();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const created = await api.createApplication({ name, type });
      // The secret of a confidential app appears in this answer only: the details page shows it once.
      if (created.secret) sessionStorage.setItem(`gatehouse.console.secret.${created.id}`, created.secret);
      navigate(`/console/applications/${encodeURIComponent(created.id)}`);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <form className="card stack" onSubmit={submit} aria-labelledby="create-app-title">
      <h2 id="create-app-title">Create an application</h2>
      <fieldset>
        <legend>Type</legend>
        <div className="type-cards">
          {applicationTypes.map((option) => (
            <label key={option} className={option === type ? 'type-card selected' : 'type-card'}>
              <input
                type="radio"
                name="type"
                value={option}
                checked={option === type}
                onChange={() => setType(option)}
              />
              <strong>{typeLabel(option)}</strong>
              <span>{typeHints[option]}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <div className="field">
        <label htmlFor="app-name">Name</label>
        <input id="app-name" required value={name} onChange={(event) => setName(event.target.value)} />
      </div>
      <ErrorMessage error={error} />
      <div className="row">
        <button type="submit" className="primary" disabled={busy}>
          Create
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
};
