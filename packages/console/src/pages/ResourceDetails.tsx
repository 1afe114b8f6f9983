import { type FormEvent, useCallback, useEffect, useState } from 'react';
import type { ManagementApi } from '../api.ts';
import { CopyField, ErrorMessage } from '../components.tsx';
import { definePhrases, useT } from '../i18n.ts';
import { managementResourceId, type Resource, type Scope } from '../roles-api.ts';
import { linkTo, navigate } from '../router.ts';
import { useAttempt, useLoad } from '../ui/hooks.ts';
import { ActionCard, DetailsPending, FormActions, ItemsTable, TextField } from '../ui/parts.tsx';
import { TtlField } from './resource-ttl.tsx';
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

  if (!resource) return <DetailsPending back={back} error={error} loading={t('loading')} />;
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

/** What a section of the details that saves the resource gets. */
type ResourceSection = { api: ManagementApi; resource: Resource; onSaved: (resource: Resource) => void };

const Settings = ({ api, resource, onSaved }: ResourceSection) => {
  const t = useT(phrases);
  const [name, setName] = useState(resource.name);
  const [ttl, setTtl] = useState(String(resource.accessTokenTtl));
  const { error, attempt } = useAttempt();
  const [saved, setSaved] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    await attempt(async () => {
      onSaved(await api.updateResource(resource.id, { name: name.trim(), accessTokenTtl: Number(ttl) }));
      setSaved(true);
    });
  };

  return (
    <form className="card stack" onSubmit={submit} aria-labelledby="resource-settings-title">
      <h2 id="resource-settings-title">{t('settings')}</h2>
      <TextField
        id="resource-edit-name"
        label={t('name')}
        required
        autoComplete="off"
        value={name}
        onChange={(event) => setName(event.target.value)}
      />
      <TtlField id="resource-edit-ttl" label={t('ttl')} help={t('ttlHelp')} value={ttl} onChange={setTtl} />
      <FormActions error={error} submit={t('save')} saved={saved && t('saved')} />
    </form>
  );
};

const DefaultSwitch = ({ api, resource, onSaved }: ResourceSection) => {
  const t = useT(phrases);
  const { error, attempt } = useAttempt();
  const [busy, setBusy] = useState(false);
  const toggle = async () => {
    setBusy(true);
    await attempt(async () => onSaved(await api.setDefaultResource(resource.id, !resource.isDefault)));
    setBusy(false);
  };
  return (
    <ActionCard
      title={t('defaultTitle')}
      button={resource.isDefault ? t('unsetDefault') : t('makeDefault')}
      busy={busy}
      error={error}
      onClick={toggle}
    >
      <p data-testid="resource-default">{resource.isDefault ? t('isDefault') : t('notDefault')}</p>
    </ActionCard>
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
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const fetch = useCallback(
    async () => (await api.listResourceScopes(resource.id)).items,
    [api, resource.id],
  );
  const { value: scopes, error, change } = useLoad(fetch, { clearError: false });

  const add = async (event: FormEvent) => {
    event.preventDefault();
    await change(async () => {
      await api.createScope(resource.id, { name: name.trim(), description: description.trim() || null });
      setName('');
      setDescription('');
    });
  };
  const remove = async (scope: Scope) => {
    if (!window.confirm(t('confirmDeleteScope', { name: scope.name }))) return;
    await change(() => api.deleteScope(resource.id, scope.id));
  };

  return (
    <div className="card stack" data-testid="resource-scopes">
      <h2>{t('scopes')}</h2>
      <ItemsTable
        items={scopes}
        columns={[t('colScope'), t('colDescription'), !readOnly && t('colActions')]}
        empty={t('noScopes')}
        row={(scope: Scope) => (
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
        )}
      />
      {readOnly ? null : (
        <form className="stack" onSubmit={add} aria-label={t('addScope')}>
          <TextField
            id="scope-name"
            label={t('scopeName')}
            help={t('scopeNameHelp')}
            required
            autoComplete="off"
            value={name}
            onChange={(event) => setName(event.target.value)}
          />
          <TextField
            id="scope-description"
            label={t('scopeDescription')}
            autoComplete="off"
            value={description}
            onChange={(event) => setDescription(event.target.value)}
          />
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
  const { error, attempt } = useAttempt();
  const remove = async () => {
    if (!window.confirm(t('confirmDelete', { name: resource.name, indicator: resource.indicator }))) return;
    await attempt(async () => {
      await api.deleteResource(resource.id);
      navigate(resourcesBase);
    });
  };
  return (
    <ActionCard
      title={t('deleteTitle')}
      text={t('deleteText')}
      button={t('delete')}
      danger
      error={error}
      onClick={remove}
    />
  );
};
