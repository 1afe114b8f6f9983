import { useEffect, useState } from 'react';
import type { ManagementApi } from '../api.ts';
import { ErrorMessage } from '../components.tsx';
import { definePhrases, useLanguage, useT } from '../i18n.ts';
import type { PreviewLanguage, SignInExperiencePatch } from '../sign-in-experience-logic.ts';

const phrases = definePhrases({
  en: {
    preview: 'Preview',
    frame: 'Preview of the hosted page',
    page: 'Page',
    signIn: 'Sign in',
    register: 'Create account',
    appearance: 'Appearance',
    light: 'Light',
    dark: 'Dark',
    language: 'Language',
    darkOff: 'Dark mode is off: visitors always see the light page.',
    updating: 'Updating the preview…',
    failed: 'The preview could not be shown for these settings:',
    appName: 'Your app',
  },
  th: {
    preview: 'ตัวอย่าง',
    frame: 'ตัวอย่างหน้าเข้าสู่ระบบ',
    page: 'หน้า',
    signIn: 'เข้าสู่ระบบ',
    register: 'สร้างบัญชี',
    appearance: 'รูปแบบ',
    light: 'สว่าง',
    dark: 'มืด',
    language: 'ภาษา',
    darkOff: 'โหมดมืดปิดอยู่: ผู้เยี่ยมชมจะเห็นหน้าแบบสว่างเสมอ',
    updating: 'กำลังอัปเดตตัวอย่าง…',
    failed: 'แสดงตัวอย่างของการตั้งค่านี้ไม่ได้:',
    appName: 'แอปของคุณ',
  },
});

/** How long typing may pause before the preview asks the server again. */
const debounceMs = 300;

/**
 * The live preview: the server renders the hosted page for the form's unsaved settings
 * (`POST /api/sign-in-exp/preview`), shown in an iframe sandboxed with no permission at all (no scripts, an opaque
 * origin, no forms), so nothing in it runs or reaches the console.
 */
export const SignInPreview = ({ api, patch }: { api: ManagementApi; patch: SignInExperiencePatch }) => {
  const t = useT(phrases);
  const consoleLanguage = useLanguage();
  const [page, setPage] = useState<'sign-in' | 'register'>('sign-in');
  const [mode, setMode] = useState<'light' | 'dark'>('light');
  const [language, setLanguage] = useState<PreviewLanguage>(consoleLanguage);
  const [html, setHtml] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(true);
  const body = JSON.stringify({ ...patch, page, mode, language, appName: t('appName') });

  useEffect(() => {
    const aborted = new AbortController();
    setBusy(true);
    const timer = setTimeout(() => {
      api.previewSignInExperience(JSON.parse(body), aborted.signal).then(
        (next) => {
          setHtml(next);
          setError(undefined);
          setBusy(false);
        },
        (failure: unknown) => {
          if (aborted.signal.aborted) return;
          setError(failure);
          setBusy(false);
        },
      );
    }, debounceMs);
    return () => {
      clearTimeout(timer);
      aborted.abort();
    };
  }, [api, body]);

  const choice = <V extends string>(
    legend: string,
    name: string,
    value: V,
    options: Array<{ value: V; label: string; lang?: string }>,
    onChange: (value: V) => void,
  ) => (
    <fieldset className="sie-inline sie-segmented">
      <legend>{legend}</legend>
      {options.map((option) => (
        <label key={option.value} className="check" lang={option.lang}>
          <input
            type="radio"
            name={name}
            value={option.value}
            checked={value === option.value}
            onChange={() => onChange(option.value)}
          />
          {option.label}
        </label>
      ))}
    </fieldset>
  );

  return (
    <aside className="sie-preview" aria-labelledby="sie-preview-title">
      <h2 id="sie-preview-title">{t('preview')}</h2>
      <div className="sie-preview-controls">
        {choice(
          t('page'),
          'preview-page',
          page,
          [
            { value: 'sign-in', label: t('signIn') },
            { value: 'register', label: t('register') },
          ],
          setPage,
        )}
        {choice(
          t('appearance'),
          'preview-mode',
          mode,
          [
            { value: 'light', label: t('light') },
            { value: 'dark', label: t('dark') },
          ],
          setMode,
        )}
        {choice(
          t('language'),
          'preview-language',
          language,
          [
            { value: 'en', label: 'English', lang: 'en' },
            { value: 'th', label: 'ไทย', lang: 'th' },
          ],
          setLanguage,
        )}
      </div>
      {mode === 'dark' && !patch.color.isDarkModeEnabled ? <p className="sie-hint">{t('darkOff')}</p> : null}
      <p className="sie-hint" role="status" aria-live="polite">
        {busy ? t('updating') : ''}
      </p>
      {error ? (
        <div>
          <p>{t('failed')}</p>
          <ErrorMessage error={error} />
        </div>
      ) : null}
      {html !== undefined ? (
        <iframe
          className="sie-frame"
          title={t('frame')}
          sandbox=""
          srcDoc={html}
          data-busy={busy ? 'true' : 'false'}
        />
      ) : null}
    </aside>
  );
};
