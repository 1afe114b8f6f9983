import { type FormEvent, useCallback, useEffect, useState } from 'react';
import type { ManagementApi } from '../api.ts';
import { CopyField, ErrorMessage } from '../components.tsx';
import { definePhrases, useT } from '../i18n.ts';
import { managementResourceId, type Resource, type Scope } from '../roles-api.ts';
import { linkTo, navigate } from '../router.ts';
import { resourcesBase } from './roles-shared.ts';
import './roles.css';

const phrases = definePhrases({
  en: {
    back: '← API resources',
    loading: 'Loading…',
    indicator: 'Indicator',
    builtIn:
      'Built-in: the Management API this console uses. It cannot be deleted or made the default, and its scopes are managed by Gatehouse.',
    settings: 'Settings',
    name: 'Name',
    ttl: 'Access token lifetime (seconds)',
    ttlHelp: '60 to 86400 seconds.',
    save: 'Save',
    saved: 'Saved.',
    defaultTitle: 'Default API resource',
    isDefault: 'This is the default API resource: token requests that name no resource get its tokens.',
    notDefault: 'Token requests that name no resource do not get tokens for this API.',
    makeDefault: 'Set as default',
    unsetDefault: 'Stop being the default',
    scopes: 'Scopes',
    scopeName: 'Scope name',
    scopeNameHelp: 'For example read:orders (no spaces).',
    scopeDescription: 'Description',
    addScope: 'Add scope',
    noScopes: 'No scopes yet.',
    colScope: 'Scope',
    colDescription: 'Description',
    colActions: 'Actions',
    deleteScope: 'Delete',
    deleteScopeLabel: 'Delete scope {name}',
    confirmDeleteScope: 'Delete the scope {name}? Every role that grants it stops granting it.',
    deleteTitle: 'Delete API resource',
    deleteText: 'Its scopes are deleted too, and leave every role that granted them.',
    delete: 'Delete API resource',
    confirmDelete: 'Delete the API resource {name} ({indicator}) and its scopes for good?',
  },
  th: {
    back: '← ทรัพยากร API',
    loading: 'กำลังโหลด…',
    indicator: 'ตัวบ่งชี้',
    builtIn: 'ในตัวระบบ: Management API ที่คอนโซลนี้ใช้ ลบหรือตั้งเป็นค่าเริ่มต้นไม่ได้ และ Gatehouse เป็นผู้จัดการขอบเขตของมัน',
    settings: 'การตั้งค่า',
    name: 'ชื่อ',
    ttl: 'อายุของโทเค็นเข้าถึง (วินาที)',
    ttlHelp: '60 ถึง 86400 วินาที',
    save: 'บันทึก',
    saved: 'บันทึกแล้ว',
    defaultTitle: 'ทรัพยากร API เริ่มต้น',
    isDefault: 'นี่คือทรัพยากร API เริ่มต้น: คำขอโทเค็นที่ไม่ระบุทรัพยากรจะได้รับโทเค็นของทรัพยากรนี้',
    notDefault: 'คำขอโทเค็นที่ไม่ระบุทรัพยากรจะไม่ได้รับโทเค็นสำหรับ API นี้',
    makeDefault: 'ตั้งเป็นค่าเริ่มต้น',
    unsetDefault: 'เลิกเป็นค่าเริ่มต้น',
    scopes: 'ขอบเขต (scopes)',
    scopeName: 'ชื่อขอบเขต',
    scopeNameHelp: 'เช่น read:orders (ไม่มีช่องว่าง)',
    scopeDescription: 'คำอธิบาย',
    addScope: 'เพิ่มขอบเขต',
    noScopes: 'ยังไม่มีขอบเขต',
    colScope: 'ขอบเขต',
    colDescription: 'คำอธิบาย',
    colActions: 'การดำเนินการ',
    deleteScope: 'ลบ',
    deleteScopeLabel: 'ลบขอบเขต {name}',
    confirmDeleteScope: 'ลบขอบเขต {name} หรือไม่? ทุกบทบาทที่มอบขอบเขตนี้จะไม่มอบอีกต่อไป',
    deleteTitle: 'ลบทรัพยากร API',
    deleteText: 'ขอบเขตของทรัพยากรจะถูกลบด้วย และถูกนำออกจากทุกบทบาทที่มอบขอบเขตเหล่านั้น',
    delete: 'ลบทรัพยากร API',
    confirmDelete: 'ลบทรัพยากร API {name} ({indicator}) และขอบเขตทั้งหมดอย่างถาวรหรือไม่?',
  },
});

/** One API resource: indicator, name and token lifetime, default switch, scopes, deletion. */
export const ResourceDetails = ({ api, id }: { api: ManagementApi; id: string }) => {
  const t = useT(phrases);
  const [resource, setResource] = useState<Resource>();
  const [error, setError] = useState<unknown>();
  const back = <a {...linkTo(resourcesBase)}>{t('back')}</a>;

  useEffect(() => {
    api.getResource(id).then(setResource, setError);
  }, [api, id]);

  if (!resource) {
    return (
      <section>
        <p>{back}</p>
        {error ? <ErrorMessage error={error} /> : <p aria-busy="true">{t('loading')}</p>}
      </section>
    );
  }
  // The Management API is shown, never changed here: the console itself depends on it.
  const builtIn = resource.id === managementResourceId;
  return (
    <section className="stack roles-screen">
      <p>{back}</p>
      <h1>{resource.name}</h1>
      <CopyField label={t('indicator')} value={resource.indicator} testId="resource-indicator" />
      {builtIn ? <p className="card">{t('builtIn')}</p> : null}
      {builtIn ? null : <Settings api={api} resource={resource} onSaved={setResource} />}
      {builtIn ? null : <DefaultSwitch api={api} resource={resource} onSaved={setResource} />}
      <Scopes api={api} resource={resource} readOnly={builtIn} />
      {builtIn ? null : <DeleteResource api={api} resource={resource} />}
    </section>
  );
};

const Settings = ({
  api,
  resource,
  onSaved,
}: {
  api: ManagementApi;
  resource: Resource;
  onSaved: (resource: Resource) => void;
}) => {
  const t = useT(phrases);
  const [name, setName] = useState(resource.name);
  const [ttl, setTtl] = useState(String(resource.accessTokenTtl));
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setSaved(false);
    try {
      onSaved(await api.updateResource(resource.id, { name: name.trim(), accessTokenTtl: Number(ttl) }));
      setSaved(true);
    } catch (failure) {
      setError(failure);
    }
  };

  return (
    <form className="card stack" onSubmit={submit} aria-labelledby="resource-settings-title">
      <h2 id="resource-settings-title">{t('settings')}</h2>
      <div className="field">
        <label htmlFor="resource-edit-name">{t('name')}</label>
        <input
          id="resource-edit-name"
          required
          autoComplete="off"
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="resource-edit-ttl">{t('ttl')}</label>
        <input
          id="resource-edit-ttl"
          type="number"
          min={60}
          max={86400}
          required
          aria-describedby="resource-edit-ttl-help"
          value={ttl}
          onChange={(event) => setTtl(event.target.value)}
        />
        <p id="resource-edit-ttl-help" className="field-help">
          {t('ttlHelp')}
        </p>
      </div>
      <ErrorMessage error={error} />
      <div className="row">
        <button type="submit" className="primary">
          {t('save')}
        </button>
        {saved ? <span role="status">{t('saved')}</span> : null}
      </div>
    </form>
  );
};

const DefaultSwitch = ({
  api,
  resource,
  onSaved,
}: {
  api: ManagementApi;
  resource: Resource;
  onSaved: (resource: Resource) => void;
}) => {
  const t = useT(phrases);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const toggle = async () => {
    setBusy(true);
    setError(undefined);
    try {
      onSaved(await api.setDefaultResource(resource.id, !resource.isDefault));
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="card stack">
      <h2>{t('defaultTitle')}</h2>
      <p data-testid="resource-default">{resource.isDefault ? t('isDefault') : t('notDefault')}</p>
      <div className="row">
        <button type="button" onClick={toggle} disabled={busy}>
          {resource.isDefault ? t('unsetDefault') : t('makeDefault')}
        </button>
      </div>
      <ErrorMessage error={error} />
    </div>
  );
};

const Scopes = ({
  api,
  resource,
  readOnly,
}: {
  api: ManagementApi;
  resource: Resource;
  readOnly: boolean;
}) => {
  const t = useT(phrases);
  const [scopes, setScopes] = useState<Scope[]>();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<unknown>();

  const load = useCallback(async () => {
    try {
      setScopes((await api.listResourceScopes(resource.id)).items);
    } catch (failure) {
      setError(failure);
    }
  }, [api, resource.id]);
  useEffect(() => {
    void load();
  }, [load]);

  const add = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    try {
      await api.createScope(resource.id, { name: name.trim(), description: description.trim() || null });
      setName('');
      setDescription('');
      await load();
    } catch (failure) {
      setError(failure);
    }
  };
  const remove = async (scope: Scope) => {
    if (!window.confirm(t('confirmDeleteScope', { name: scope.name }))) return;
    setError(undefined);
    try {
      await api.deleteScope(resource.id, scope.id);
      await load();
    } catch (failure) {
      setError(failure);
    }
  };

  return (
    <div className="card stack" data-testid="resource-scopes">
      <h2>{t('scopes')}</h2>
      {scopes === undefined ? null : scopes.length === 0 ? (
        <p className="muted">{t('noScopes')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('colScope')}</th>
              <th scope="col">{t('colDescription')}</th>
              {readOnly ? null : <th scope="col">{t('colActions')}</th>}
            </tr>
          </thead>
          <tbody>
            {scopes.map((scope) => (
              <tr key={scope.id}>
                <td>
                  <code>{scope.name}</code>
                </td>
                <td>{scope.description ?? ''}</td>
                {readOnly ? null : (
                  <td>
                    <button
                      type="button"
                      className="danger"
                      aria-label={t('deleteScopeLabel', { name: scope.name })}
                      onClick={() => remove(scope)}
                    >
                      {t('deleteScope')}
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {readOnly ? null : (
        <form className="stack" onSubmit={add} aria-label={t('addScope')}>
          <div className="field">
            <label htmlFor="scope-name">{t('scopeName')}</label>
            <input
              id="scope-name"
              required
              autoComplete="off"
              aria-describedby="scope-name-help"
              value={name}
              onChange={(event) => setName(event.target.value)}
            />
            <p id="scope-name-help" className="field-help">
              {t('scopeNameHelp')}
            </p>
          </div>
          <div className="field">
            <label htmlFor="scope-description">{t('scopeDescription')}</label>
            <input
              id="scope-description"
              autoComplete="off"
              value={description}
              onChange={(event) => setDescription(event.target.value)}
            />
          </div>
          <div className="row">
            <button type="submit">{t('addScope')}</button>
          </div>
        </form>
      )}
      <ErrorMessage error={error} />
    </div>
  );
};

const DeleteResource = ({ api, resource }: { api: ManagementApi; resource: Resource }) => {
  const t = useT(phrases);
  const [error, setError] = useState<unknown>();
  const remove = async () => {
    if (!window.confirm(t('confirmDelete', { name: resource.name, indicator: resource.indicator }))) return;
    setError(undefined);
    try {
      await api.deleteResource(resource.id);
      navigate(resourcesBase);
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <div className="card stack">
      <h2>{t('deleteTitle')}</h2>
      <p className="muted">{t('deleteText')}</p>
      <div className="row">
        <button type="button" className="danger" onClick={remove}>
          {t('delete')}
        </button>
      </div>
      <ErrorMessage error={error} />
    </div>
  );
};
