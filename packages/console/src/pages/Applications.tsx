import { useCallback, useState } from 'react';
import type { ApplicationType, ManagementApi } from '../api.ts';
import { applicationTypes, ErrorMessage, Pager, useTypeLabel } from '../components.tsx';
import { definePhrases, useT } from '../i18n.ts';
import { linkTo, navigate } from '../router.ts';
import { usePaged } from '../ui/hooks.ts';
import { CreateForm, ListHeading, TextField } from '../ui/parts.tsx';
import { type FrameworkId, frameworksOf, guideKey, pickFramework } from './guides/guides.ts';
import './applications.css';

const pageSize = 20;

const phrases = definePhrases({
  en: {
    title: 'Applications',
    create: 'Create application',
    name: 'Name',
    type: 'Type',
    appId: 'App ID',
    loading: 'Loading…',
    noun: 'applications',
    empty: 'No applications yet. Create one to get its endpoint, app ID and integration guide.',
    formTitle: 'Create an application',
    framework: 'Framework',
    frameworkHint: 'The integration guide shows the code for this framework; you can switch later.',
    submit: 'Create',
    cancel: 'Cancel',
    hintTraditional: 'A server-rendered web app with a secret (Express, Next.js, Flask…).',
    hintSPA: 'Runs in the browser, signs in with PKCE, has no secret.',
    hintNative: 'A mobile or desktop app, PKCE and a custom-scheme redirect.',
    hintMachineToMachine: 'A service calling APIs with its own credentials.',
  },
  th: {
    title: 'แอปพลิเคชัน',
    create: 'สร้างแอปพลิเคชัน',
    name: 'ชื่อ',
    type: 'ประเภท',
    appId: 'App ID',
    loading: 'กำลังโหลด…',
    noun: 'แอปพลิเคชัน',
    empty: 'ยังไม่มีแอปพลิเคชัน สร้างขึ้นเพื่อรับเอนด์พอยต์ App ID และคู่มือการเชื่อมต่อ',
    formTitle: 'สร้างแอปพลิเคชันใหม่',
    framework: 'เฟรมเวิร์ก',
    frameworkHint: 'คู่มือการเชื่อมต่อจะแสดงโค้ดสำหรับเฟรมเวิร์กนี้ เปลี่ยนภายหลังได้',
    submit: 'สร้าง',
    cancel: 'ยกเลิก',
    hintTraditional: 'เว็บแอปที่เรนเดอร์ฝั่งเซิร์ฟเวอร์และมีรหัสลับ (Express, Next.js, Flask…)',
    hintSPA: 'ทำงานในเบราว์เซอร์ ลงชื่อเข้าใช้ด้วย PKCE ไม่มีรหัสลับ',
    hintNative: 'แอปมือถือหรือเดสก์ท็อป ใช้ PKCE และ redirect แบบ custom scheme',
    hintMachineToMachine: 'บริการที่เรียก API ด้วยข้อมูลประจำตัวของตัวเอง',
  },
});

/** The applications of this Gatehouse, paged, with a form to create one by type and framework. */
export const Applications = ({ api }: { api: ManagementApi }) => {
  const t = useT(phrases);
  const typeLabel = useTypeLabel();
  const fetchPage = useCallback((page: number) => api.listApplications(page, pageSize), [api]);
  const { list, error, page, setPage } = usePaged(fetchPage, pageSize);
  const [creating, setCreating] = useState(false);

  return (
    <section>
      <ListHeading
        title={t('title')}
        create={t('create')}
        creating={creating}
        onCreate={() => setCreating(true)}
      />
      {creating ? <CreateApplication api={api} onCancel={() => setCreating(false)} /> : null}
      <ErrorMessage error={error} />
      {list ? (
        <>
          {list.total === 0 && !creating ? <p className="muted">{t('empty')}</p> : null}
          <table>
            <thead>
              <tr>
                <th scope="col">{t('name')}</th>
                <th scope="col">{t('type')}</th>
                <th scope="col">{t('appId')}</th>
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
          <Pager page={page} pageSize={pageSize} total={list.total} noun={t('noun')} onPage={setPage} />
        </>
      ) : (
        <p aria-busy="true">{t('loading')}</p>
      )}
    </section>
  );
};

const CreateApplication = ({ api, onCancel }: { api: ManagementApi; onCancel: () => void }) => {
  const t = useT(phrases);
  const [name, setName] = useState('');
  const [type, setType] = useState<ApplicationType>('Traditional');
  const [framework, setFramework] = useState<FrameworkId>(pickFramework('Traditional', null).id);
  const typeLabel = useTypeLabel();

  const chooseType = (next: ApplicationType) => {
    setType(next);
    setFramework(pickFramework(next, null).id);
  };

  return (
    <CreateForm
      id="create-app"
      title={t('formTitle')}
      submit={t('submit')}
      cancel={t('cancel')}
      onCancel={onCancel}
      create={async () => {
        const created = await api.createApplication({ name, type });
        // The secret of a confidential app appears in this answer only: the details page shows it once.
        if (created.secret) sessionStorage.setItem(`gatehouse.console.secret.${created.id}`, created.secret);
        localStorage.setItem(guideKey(created.id), framework);
        navigate(`/console/applications/${encodeURIComponent(created.id)}?guide=${framework}`);
      }}
    >
      <fieldset>
        <legend>{t('type')}</legend>
        <div className="type-cards">
          {applicationTypes.map((option) => (
            <label key={option} className={option === type ? 'type-card selected' : 'type-card'}>
              <input
                type="radio"
                name="type"
                value={option}
                checked={option === type}
                onChange={() => chooseType(option)}
              />
              <strong>{typeLabel(option)}</strong>
              <span>{t(`hint${option}`)}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset>
        <legend>{t('framework')}</legend>
        <p className="muted">{t('frameworkHint')}</p>
        <div className="type-cards framework-cards">
          {frameworksOf(type).map((option) => (
            <label
              key={option.id}
              className={option.id === framework ? 'type-card selected' : 'type-card'}
              data-testid={`framework-${option.id}`}
            >
              <input
                type="radio"
                name="framework"
                value={option.id}
                checked={option.id === framework}
                onChange={() => setFramework(option.id)}
              />
              <strong>{option.name}</strong>
              <span className="mono">{option.sdk}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <TextField
        id="app-name"
        label={t('name')}
        required
        value={name}
        onChange={(event) => setName(event.target.value)}
      />
    </CreateForm>
  );
};
