import { type FormEvent, useCallback, useEffect, useMemo, useState } from 'react';
import { ApiFailure, type ManagementApi } from '../api.ts';
import { CopyField, ErrorMessage } from '../components.tsx';
import type { Connector, ConnectorFactory } from '../connectors-api.ts';
import { linkTo, navigate } from '../router.ts';
import './connectors.css';
import { SchemaFields } from '../schema-form.tsx';
import {
  type Errors,
  fieldsOf,
  initialValues,
  issuesToErrors,
  type Metadata,
  toConfig,
  toMetadata,
  type Value,
  type Values,
  validate,
  validateMetadata,
} from '../schema-form-logic.ts';

const base = '/console/connectors';
const nameOf = (connector: Connector) =>
  connector.metadata.name?.en ?? connector.target ?? connector.metadata.target ?? connector.id;

/** The Connectors screen: the list, `/new` (choose a factory, then its form), and `/:id` (edit, callback URI). */
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
  const details = /^\/console\/connectors\/([^/]+)$/.exec(path);
  if (details?.[1])
    return <ConnectorDetails api={api} id={decodeURIComponent(details[1])} endpoint={endpoint} />;
  return <ConnectorList api={api} />;
};

const ConnectorList = ({ api }: { api: ManagementApi }) => {
  const [connectors, setConnectors] = useState<Connector[]>();
  const [targets, setTargets] = useState<string[]>([]);
  const [error, setError] = useState<unknown>();
  const [confirming, setConfirming] = useState<string>();
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      const [list, shown] = await Promise.all([api.listConnectors(), api.getSocialTargets()]);
      setConnectors(list.filter((connector) => connector.type === 'Social'));
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
        ? [...targets.filter((t) => t !== target), target]
        : targets.filter((t) => t !== target);
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

  return (
    <section>
      <div className="heading-row">
        <h1>Connectors</h1>
        <a className="button primary" {...linkTo(`${base}/new`)}>
          Add connector
        </a>
      </div>
      <p className="muted">Social sign-in: "Continue with …" buttons on the sign-in page.</p>
      <ErrorMessage error={error} />
      {!connectors ? (
        <p aria-busy="true">Loading…</p>
      ) : connectors.length === 0 ? (
        <p>No social connector yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Target</th>
              <th scope="col">Factory</th>
              <th scope="col">On the sign-in page</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {connectors.map((connector) => {
              const target = connector.target ?? '';
              const name = nameOf(connector);
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
                        aria-label={`Show ${name} on the sign-in page`}
                      />{' '}
                      {targets.includes(target) ? 'Shown' : 'Hidden'}
                    </label>
                  </td>
                  <td>
                    {confirming === connector.id ? (
                      <span className="row">
                        <span>Delete {name}? Users keep their linked identities.</span>
                        <button
                          type="button"
                          className="danger"
                          disabled={busy}
                          onClick={() => remove(connector.id)}
                        >
                          Yes, delete
                        </button>
                        <button type="button" onClick={() => setConfirming(undefined)}>
                          Cancel
                        </button>
                      </span>
                    ) : (
                      <button
                        type="button"
                        onClick={() => setConfirming(connector.id)}
                        aria-label={`Delete ${name}`}
                      >
                        Delete
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
};

const AddConnector = ({ api }: { api: ManagementApi }) => {
  const [factories, setFactories] = useState<ConnectorFactory[]>();
  const [factory, setFactory] = useState<ConnectorFactory>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    api
      .listConnectorFactories()
      .then((list) => setFactories(list.filter((candidate) => candidate.type === 'Social')), setError);
  }, [api]);
  return (
    <section className="stack">
      <p>
        <a {...linkTo(base)}>← Connectors</a>
      </p>
      <h1>Add a connector</h1>
      <ErrorMessage error={error} />
      {factory ? (
        <>
          <p>
            <button type="button" onClick={() => setFactory(undefined)}>
              ← Choose another kind
            </button>
          </p>
          <ConnectorForm api={api} factory={factory} />
        </>
      ) : factories ? (
        <fieldset>
          <legend>Kind of connector</legend>
          <div className="type-cards">
            {factories.map((candidate) => (
              <button
                type="button"
                key={candidate.id}
                className="type-card"
                onClick={() => setFactory(candidate)}
                aria-label={`${candidate.name.en} (${candidate.id})`}
              >
                <strong>{candidate.name.en}</strong>
                <span>{candidate.description.en}</span>
              </button>
            ))}
          </div>
        </fieldset>
      ) : error ? null : (
        <p aria-busy="true">Loading…</p>
      )}
    </section>
  );
};

const ConnectorDetails = ({ api, id, endpoint }: { api: ManagementApi; id: string; endpoint: string }) => {
  const [loaded, setLoaded] = useState<{ connector: Connector; factory: ConnectorFactory }>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    Promise.all([api.getConnector(id), api.listConnectorFactories()])
      .then(([connector, factories]) => {
        const factory = factories.find((candidate) => candidate.id === connector.connectorId);
        if (!factory) throw new Error(`Unknown connector factory ${connector.connectorId}`);
        setLoaded({ connector, factory });
      })
      .catch(setError);
  }, [api, id]);
  return (
    <section className="stack">
      <p>
        <a {...linkTo(base)}>← Connectors</a>
      </p>
      <ErrorMessage error={error} />
      {loaded ? (
        <>
          <h1>{nameOf(loaded.connector)}</h1>
          <div className="card stack">
            <h2>Redirect URI at the provider</h2>
            <p className="muted">Register this callback URI, exactly, with the identity provider.</p>
            <CopyField
              label="Callback URI"
              value={`${endpoint}/callback/${loaded.connector.id}`}
              testId="connector-callback-uri"
            />
          </div>
          <ConnectorForm
            api={api}
            factory={loaded.factory}
            connector={loaded.connector}
            onSaved={(connector) => setLoaded({ connector, factory: loaded.factory })}
          />
        </>
      ) : error ? null : (
        <p aria-busy="true">Loading…</p>
      )}
    </section>
  );
};

const metadataOf = (connector?: Connector): Metadata => ({
  target: connector?.target ?? connector?.metadata.target ?? '',
  nameEn: connector?.metadata.name?.en ?? '',
  nameTh: connector?.metadata.name?.th ?? '',
  logo: connector?.metadata.logo ?? '',
  logoDark: connector?.metadata.logoDark ?? '',
  syncProfile: connector?.syncProfile ?? false,
  enableTokenStorage: connector?.enableTokenStorage ?? false,
});

const metadataFields: Array<{
  key: 'target' | 'nameEn' | 'nameTh' | 'logo' | 'logoDark';
  label: string;
  help: string;
}> = [
  {
    key: 'target',
    label: 'Target (IdP name)',
    help: 'Letters, digits, "_", "." and "-"; fixed once created.',
  },
  { key: 'nameEn', label: 'Button name (English)', help: 'Shown as "Continue with …"; the target if empty.' },
  { key: 'nameTh', label: 'Button name (Thai)', help: 'Optional.' },
  { key: 'logo', label: 'Logo URL', help: 'Optional http(s) URL.' },
  { key: 'logoDark', label: 'Dark logo URL', help: 'Optional http(s) URL, for dark mode.' },
];

/** The metadata and the config form generated from the factory's schema; creates or updates. */
const ConnectorForm = ({
  api,
  factory,
  connector,
  onSaved,
}: {
  api: ManagementApi;
  factory: ConnectorFactory;
  connector?: Connector;
  onSaved?: (connector: Connector) => void;
}) => {
  const editing = Boolean(connector);
  const fields = useMemo(() => fieldsOf(factory.configSchema, factory.secretFields), [factory]);
  const [values, setValues] = useState<Values>(() => initialValues(fields, connector?.config));
  const [metadata, setMetadata] = useState<Metadata>(() => metadataOf(connector));
  const [errors, setErrors] = useState<Errors>({});
  const [metaErrors, setMetaErrors] = useState<Errors>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);

  const change = (path: string, value: Value) => {
    setValues((current) => ({ ...current, [path]: value }));
    setErrors(({ [path]: _, ...rest }) => rest);
    setSaved(false);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = validate(fields, values, { editing });
    const foundMeta = validateMetadata(metadata);
    setErrors(found);
    setMetaErrors(foundMeta);
    setError(undefined);
    setSaved(false);
    if (Object.keys(found).length > 0 || Object.keys(foundMeta).length > 0) return;
    setBusy(true);
    try {
      const body = {
        config: toConfig(fields, values, connector?.config),
        metadata: toMetadata(metadata),
        syncProfile: metadata.syncProfile,
        enableTokenStorage: metadata.enableTokenStorage,
      };
      if (connector) {
        const updated = await api.updateConnector(connector.id, body);
        setValues(initialValues(fields, updated.config));
        setSaved(true);
        onSaved?.(updated);
      } else {
        const created = await api.createConnector({ connectorId: factory.id, ...body });
        navigate(`${base}/${encodeURIComponent(created.id)}`);
      }
    } catch (failure) {
      if (failure instanceof ApiFailure && failure.code === 'connector.invalid_config') {
        setErrors(issuesToErrors(fields, failure.data?.issues));
      }
      if (failure instanceof ApiFailure && failure.code.startsWith('connector.target'))
        setMetaErrors({ target: failure.message });
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const invalid = Object.keys(errors).length + Object.keys(metaErrors).length;
  return (
    <form className="card stack" onSubmit={submit} noValidate aria-labelledby="connector-form-title">
      <h2 id="connector-form-title">{editing ? 'Settings' : `New ${factory.name.en} connector`}</h2>
      <p className="muted">
        Fields marked <span aria-hidden="true">*</span> are required.
      </p>
      <fieldset className="stack">
        <legend>Sign-in button</legend>
        {metadataFields.map(({ key, label, help }) => (
          <div className="field" key={key}>
            <label htmlFor={`meta-${key}`}>
              {label}
              {key === 'target' ? <span aria-hidden="true"> *</span> : null}
            </label>
            <input
              id={`meta-${key}`}
              type={key.startsWith('logo') ? 'url' : 'text'}
              value={metadata[key]}
              readOnly={key === 'target' && editing}
              aria-invalid={metaErrors[key] ? true : undefined}
              aria-describedby={`meta-${key}-help${metaErrors[key] ? ` meta-${key}-error` : ''}`}
              onChange={(event) => {
                setMetadata({ ...metadata, [key]: event.target.value });
                setMetaErrors(({ [key]: _, ...rest }) => rest);
              }}
            />
            <p className="help" id={`meta-${key}-help`}>
              {help}
            </p>
            {metaErrors[key] ? (
              <p className="field-error" id={`meta-${key}-error`} role="alert">
                {label} {metaErrors[key]}
              </p>
            ) : null}
          </div>
        ))}
        <label className="check">
          <input
            type="checkbox"
            checked={metadata.syncProfile}
            onChange={(event) => setMetadata({ ...metadata, syncProfile: event.target.checked })}
          />{' '}
          Sync profile (refresh name and picture at every sign-in)
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={metadata.enableTokenStorage}
            onChange={(event) => setMetadata({ ...metadata, enableTokenStorage: event.target.checked })}
          />{' '}
          Store the provider's tokens
        </label>
      </fieldset>
      <fieldset className="stack">
        <legend>Provider settings</legend>
        <SchemaFields fields={fields} values={values} errors={errors} onChange={change} editing={editing} />
      </fieldset>
      {errors[''] ? (
        <p className="field-error" role="alert">
          {errors['']}
        </p>
      ) : null}
      {invalid > 0 && !error ? (
        <p className="field-error" role="alert">
          Please correct the {invalid === 1 ? 'field' : `${invalid} fields`} marked above.
        </p>
      ) : null}
      <ErrorMessage error={error} />
      {saved ? <p role="status">Saved.</p> : null}
      <div className="row">
        <button type="submit" className="primary" disabled={busy}>
          {editing ? 'Save' : 'Create connector'}
        </button>
      </div>
    </form>
  );
};
