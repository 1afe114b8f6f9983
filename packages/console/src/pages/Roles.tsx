import { useCallback, useState } from 'react';
import type { ManagementApi } from '../api.ts';
import { ErrorMessage } from '../components.tsx';
import { definePhrases, useT } from '../i18n.ts';
import { builtInRoleIds, type Role, type RoleType } from '../roles-api.ts';
import { linkTo, navigate } from '../router.ts';
import { usePaged } from '../ui/hooks.ts';
import { CreateForm, ListHeading, PagedTable, TextField } from '../ui/parts.tsx';
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
  const [type, setType] = useState<RoleType | ''>('');
  const fetchPage = useCallback(
    (page: number) => api.listRoles(page, pageSize, type ? { type } : {}),
    [api, type],
  );
  const paged = usePaged(fetchPage, pageSize);
  const { error, setPage } = paged;
  const [creating, setCreating] = useState(false);

  return (
    <section className="stack roles-screen">
      <ListHeading
        title={t('title')}
        create={t('create')}
        creating={creating}
        onCreate={() => setCreating(true)}
      />
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
      <PagedTable
        paged={paged}
        columns={[t('colName'), t('colType'), t('colDescription')]}
        row={(role: Role) => (
          <tr key={role.id}>
            <td>
              <a {...linkTo(rolePath(role.id))}>{role.name}</a>
              {builtInRoleIds.includes(role.id) ? <span className="badge">{t('builtIn')}</span> : null}
            </td>
            <td data-testid={`role-type-${role.id}`}>{typeLabel(role.type)}</td>
            <td>{role.description}</td>
          </tr>
        )}
        empty={t('none')}
        loading={t('loading')}
        noun={t('noun')}
      />
    </section>
  );
};

const CreateRole = ({ api, onCancel }: { api: ManagementApi; onCancel: () => void }) => {
  const t = useT(phrases);
  const typeLabel = useRoleTypeLabel();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [type, setType] = useState<RoleType>('User');
  return (
    <CreateForm
      id="create-role"
      title={t('createTitle')}
      submit={t('submit')}
      cancel={t('cancel')}
      onCancel={onCancel}
      create={async () => {
        const created = await api.createRole({ name: name.trim(), description: description.trim(), type });
        navigate(rolePath(created.id));
      }}
    >
      <TextField
        id="role-name"
        label={t('name')}
        required
        autoComplete="off"
        value={name}
        onChange={(event) => setName(event.target.value)}
      />
      <TextField
        id="role-description"
        label={t('description')}
        required
        autoComplete="off"
        value={description}
        onChange={(event) => setDescription(event.target.value)}
      />
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
    </CreateForm>
  );
};
