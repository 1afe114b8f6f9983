import { useCallback, useState } from 'react';
import type { ManagementApi } from '../api.ts';
import { ErrorMessage } from '../components.tsx';
import { definePhrases, useT } from '../i18n.ts';
import { managementResourceId, type Resource } from '../roles-api.ts';
import { linkTo, navigate } from '../router.ts';
import { usePaged } from '../ui/hooks.ts';
import { CreateForm, ListHeading, PagedTable, TextField } from '../ui/parts.tsx';
import { TtlField } from './resource-ttl.tsx';
import { resourcePath } from './roles-shared.ts';
import './roles.css';

const pageSize = 20;

const phrases = definePhrases({
  en: {
    title: 'API resources',
    intro:
      'An API resource is one of your APIs, named by its indicator (the audience of its access tokens). Its scopes are granted through roles.',
    create: 'Create API resource',
    createTitle: 'Create an API resource',
    name: 'Name',
    indicator: 'Indicator (an absolute URI)',
    indicatorHelp: 'For example https://api.example.com. It cannot be changed later.',
    ttl: 'Access token lifetime (seconds)',
    ttlHelp: '60 to 86400 seconds.',
    submit: 'Create',
    cancel: 'Cancel',
    colName: 'Name',
    colIndicator: 'Indicator',
    colTtl: 'Token lifetime',
    seconds: '{n} s',
    isDefault: 'Default',
    builtIn: 'Built-in',
    none: 'No API resources yet.',
    noun: 'resources',
    loading: 'Loading…',
  },
  th: {
    title: 'ทรัพยากร API',
    intro:
      'ทรัพยากร API คือ API ของคุณแต่ละตัว ระบุด้วยตัวบ่งชี้ (audience ของโทเค็นเข้าถึง) ขอบเขต (scope) ของทรัพยากรจะมอบให้ผ่านบทบาท',
    create: 'สร้างทรัพยากร API',
    createTitle: 'สร้างทรัพยากร API',
    name: 'ชื่อ',
    indicator: 'ตัวบ่งชี้ (URI แบบสมบูรณ์)',
    indicatorHelp: 'เช่น https://api.example.com และแก้ไขภายหลังไม่ได้',
    ttl: 'อายุของโทเค็นเข้าถึง (วินาที)',
    ttlHelp: '60 ถึง 86400 วินาที',
    submit: 'สร้าง',
    cancel: 'ยกเลิก',
    colName: 'ชื่อ',
    colIndicator: 'ตัวบ่งชี้',
    colTtl: 'อายุโทเค็น',
    seconds: '{n} วินาที',
    isDefault: 'ค่าเริ่มต้น',
    builtIn: 'ในตัวระบบ',
    none: 'ยังไม่มีทรัพยากร API',
    noun: 'รายการ',
    loading: 'กำลังโหลด…',
  },
});

/** The API resources, paged, with a form to create one. */
export const Resources = ({ api }: { api: ManagementApi }) => {
  const t = useT(phrases);
  const fetchPage = useCallback((page: number) => api.listResources(page, pageSize), [api]);
  const paged = usePaged(fetchPage, pageSize);
  const { error } = paged;
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
      {creating ? <CreateResource api={api} onCancel={() => setCreating(false)} /> : null}
      <ErrorMessage error={error} />
      <PagedTable
        paged={paged}
        columns={[t('colName'), t('colIndicator'), t('colTtl')]}
        row={(resource: Resource) => (
          <tr key={resource.id}>
            <td>
              <a {...linkTo(resourcePath(resource.id))}>{resource.name}</a>
              {resource.id === managementResourceId ? <span className="badge">{t('builtIn')}</span> : null}
              {resource.isDefault ? <span className="badge">{t('isDefault')}</span> : null}
            </td>
            <td>
              <code>{resource.indicator}</code>
            </td>
            <td>{t('seconds', { n: resource.accessTokenTtl })}</td>
          </tr>
        )}
        empty={t('none')}
        loading={t('loading')}
        noun={t('noun')}
      />
    </section>
  );
};

const CreateResource = ({ api, onCancel }: { api: ManagementApi; onCancel: () => void }) => {
  const t = useT(phrases);
  const [name, setName] = useState('');
  const [indicator, setIndicator] = useState('');
  const [ttl, setTtl] = useState('3600');
  return (
    <CreateForm
      id="create-resource"
      title={t('createTitle')}
      submit={t('submit')}
      cancel={t('cancel')}
      onCancel={onCancel}
      create={async () => {
        const created = await api.createResource({
          name: name.trim(),
          indicator: indicator.trim(),
          accessTokenTtl: Number(ttl),
        });
        navigate(resourcePath(created.id));
      }}
    >
      <TextField
        id="resource-name"
        label={t('name')}
        required
        autoComplete="off"
        value={name}
        onChange={(event) => setName(event.target.value)}
      />
      <TextField
        id="resource-indicator"
        label={t('indicator')}
        help={t('indicatorHelp')}
        required
        autoComplete="off"
        value={indicator}
        onChange={(event) => setIndicator(event.target.value)}
      />
      <TtlField id="resource-ttl" label={t('ttl')} help={t('ttlHelp')} value={ttl} onChange={setTtl} />
    </CreateForm>
  );
};
