import { type FormEvent, useCallback, useEffect, useState } from 'react';
import type { ManagementApi } from '../api.ts';
import { ErrorMessage, Pager } from '../components.tsx';
import { definePhrases, useT } from '../i18n.ts';
import { builtInRoleIds, type Paged, type Role, type RoleType } from '../roles-api.ts';
import { linkTo, navigate } from '../router.ts';
import { rolePath, roleTypes, useRoleTypeLabel } from './roles-shared.ts';
import './roles.css';

const pageSize = 20;

const phrases = definePhrases({
  en: {
    title: 'Roles',
    intro:
      'A role grants scopes of API resources. User roles are assigned to users; machine-to-machine roles to machine-to-machine applications.',
    create: 'Create role',
    createTitle: 'Create a role',
    name: 'Name',
    description: 'Description',
    type: 'Type',
    typeHelp: 'It cannot be changed later.',
    submit: 'Create',
    cancel: 'Cancel',
    filter: 'Show',
    all: 'All types',
    colName: 'Name',
    colType: 'Type',
    colDescription: 'Description',
    builtIn: 'Built-in',
    none: 'No roles yet.',
    noun: 'roles',
    loading: 'Loading…',
  },
  th: {
    title: 'บทบาท',
    intro: 'บทบาทมอบขอบเขตของทรัพยากร API บทบาทผู้ใช้มอบให้ผู้ใช้ ส่วนบทบาทเครื่องต่อเครื่องมอบให้แอปพลิเคชันเครื่องต่อเครื่อง',
    create: 'สร้างบทบาท',
    createTitle: 'สร้างบทบาท',
    name: 'ชื่อ',
    description: 'คำอธิบาย',
    type: 'ประเภท',
    typeHelp: 'เปลี่ยนภายหลังไม่ได้',
    submit: 'สร้าง',
    cancel: 'ยกเลิก',
    filter: 'แสดง',
    all: 'ทุกประเภท',
    colName: 'ชื่อ',
    colType: 'ประเภท',
    colDescription: 'คำอธิบาย',
    builtIn: 'ในตัวระบบ',
    none: 'ยังไม่มีบทบาท',
    noun: 'บทบาท',
    loading: 'กำลังโหลด…',
  },
});

/** The roles, paged and filtered by type, with a form to create one. */
export const Roles = ({ api }: { api: ManagementApi }) => {
  const t = useT(phrases);
  const typeLabel = useRoleTypeLabel();
  const [page, setPage] = useState(1);
  const [type, setType] = useState<RoleType | ''>('');
  const [list, setList] = useState<Paged<Role>>();
  const [error, setError] = useState<unknown>();
  const [creating, setCreating] = useState(false);

  const load = useCallback(async () => {
    setError(undefined);
    try {
      setList(await api.listRoles(page, pageSize, type ? { type } : {}));
    } catch (failure) {
      setError(failure);
    }
  }, [api, page, type]);
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section className="stack roles-screen">
      <div className="heading-row">
        <h1>{t('title')}</h1>
        <button type="button" className="primary" onClick={() => setCreating(true)} disabled={creating}>
          {t('create')}
        </button>
      </div>
      <p className="muted">{t('intro')}</p>
      {creating ? <CreateRole api={api} onCancel={() => setCreating(false)} /> : null}
      <div className="row">
        <label htmlFor="role-type-filter">{t('filter')}</label>
        <select
          id="role-type-filter"
          value={type}
          onChange={(event) => {
            setPage(1);
            setType(event.target.value as RoleType | '');
          }}
        >
          <option value="">{t('all')}</option>
          {roleTypes.map((option) => (
            <option key={option} value={option}>
              {typeLabel(option)}
            </option>
          ))}
        </select>
      </div>
      <ErrorMessage error={error} />
      {list ? (
        <>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('colName')}</th>
                <th scope="col">{t('colType')}</th>
                <th scope="col">{t('colDescription')}</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((role) => (
                <tr key={role.id}>
                  <td>
                    <a {...linkTo(rolePath(role.id))}>{role.name}</a>
                    {builtInRoleIds.includes(role.id) ? <span className="badge">{t('builtIn')}</span> : null}
                  </td>
                  <td data-testid={`role-type-${role.id}`}>{typeLabel(role.type)}</td>
                  <td>{role.description}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {list.items.length === 0 ? <p className="muted">{t('none')}</p> : null}
          <Pager page={page} pageSize={pageSize} total={list.total} noun={t('noun')} onPage={setPage} />
        </>
      ) : error ? null : (
        <p aria-busy="true">{t('loading')}</p>
      )}
    </section>
  );
};

const CreateRole = ({ api, onCancel }: { api: ManagementApi; onCancel: () => void }) => {
  const t = useT(phrases);
  const typeLabel = useRoleTypeLabel();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [type, setType] = useState<RoleType>('User');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const created = await api.createRole({ name: name.trim(), description: description.trim(), type });
      navigate(rolePath(created.id));
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <form className="card stack" onSubmit={submit} aria-labelledby="create-role-title">
      <h2 id="create-role-title">{t('createTitle')}</h2>
      <div className="field">
        <label htmlFor="role-name">{t('name')}</label>
        <input
          id="role-name"
          required
          autoComplete="off"
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="role-description">{t('description')}</label>
        <input
          id="role-description"
          required
          autoComplete="off"
          value={description}
          onChange={(event) => setDescription(event.target.value)}
        />
      </div>
      <fieldset>
        <legend>{t('type')}</legend>
        {roleTypes.map((option) => (
          <label key={option} className="check">
            <input
              type="radio"
              name="role-type"
              value={option}
              checked={type === option}
              onChange={() => setType(option)}
            />{' '}
            {typeLabel(option)}
          </label>
        ))}
        <p className="field-help">{t('typeHelp')}</p>
      </fieldset>
      <ErrorMessage error={error} />
      <div className="row">
        <button type="submit" className="primary" disabled={busy}>
          {t('submit')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('cancel')}
        </button>
      </div>
    </form>
  );
};
