import { type FormEvent, useCallback, useEffect, useState } from 'react';
import type { ManagementApi } from '../api.ts';
import { ErrorMessage, Pager } from '../components.tsx';
import { definePhrases, useT } from '../i18n.ts';
import { managementResourceId, type Paged, type Resource } from '../roles-api.ts';
import { linkTo, navigate } from '../router.ts';
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
  const [page, setPage] = useState(1);
  const [list, setList] = useState<Paged<Resource>>();
  const [error, setError] = useState<unknown>();
  const [creating, setCreating] = useState(false);

  const load = useCallback(async () => {
    setError(undefined);
    try {
      setList(await api.listResources(page, pageSize));
    } catch (failure) {
      setError(failure);
    }
  }, [api, page]);
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
      {creating ? <CreateResource api={api} onCancel={() => setCreating(false)} /> : null}
      <ErrorMessage error={error} />
      {list ? (
        <>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('colName')}</th>
                <th scope="col">{t('colIndicator')}</th>
                <th scope="col">{t('colTtl')}</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((resource) => (
                <tr key={resource.id}>
                  <td>
                    <a {...linkTo(resourcePath(resource.id))}>{resource.name}</a>
                    {resource.id === managementResourceId ? (
                      <span className="badge">{t('builtIn')}</span>
                    ) : null}
                    {resource.isDefault ? <span className="badge">{t('isDefault')}</span> : null}
                  </td>
                  <td>
                    <code>{resource.indicator}</code>
                  </td>
                  <td>{t('seconds', { n: resource.accessTokenTtl })}</td>
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

const CreateResource = ({ api, onCancel }: { api: ManagementApi; onCancel: () => void }) => {
  const t = useT(phrases);
  const [name, setName] = useState('');
  const [indicator, setIndicator] = useState('');
  const [ttl, setTtl] = useState('3600');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const created = await api.createResource({
        name: name.trim(),
        indicator: indicator.trim(),
        accessTokenTtl: Number(ttl),
      });
      navigate(resourcePath(created.id));
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <form className="card stack" onSubmit={submit} aria-labelledby="create-resource-title">
      <h2 id="create-resource-title">{t('createTitle')}</h2>
      <div className="field">
        <label htmlFor="resource-name">{t('name')}</label>
        <input
          id="resource-name"
          required
          autoComplete="off"
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="resource-indicator">{t('indicator')}</label>
        <input
          id="resource-indicator"
          required
          autoComplete="off"
          aria-describedby="resource-indicator-help"
          value={indicator}
          onChange={(event) => setIndicator(event.target.value)}
        />
        <p id="resource-indicator-help" className="field-help">
          {t('indicatorHelp')}
        </p>
      </div>
      <div className="field">
        <label htmlFor="resource-ttl">{t('ttl')}</label>
        <input
          id="resource-ttl"
          type="number"
          min={60}
          max={86400}
          required
          aria-describedby="resource-ttl-help"
          value={ttl}
          onChange={(event) => setTtl(event.target.value)}
        />
        <p id="resource-ttl-help" className="field-help">
          {t('ttlHelp')}
        </p>
      </div>
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
