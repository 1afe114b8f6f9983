import { useId, useState } from 'react';
import { ApiFailure, type ApplicationType } from './api.ts';
import { definePhrases, useT } from './i18n.ts';

const phrases = definePhrases({
  en: {
    copy: 'Copy',
    copied: 'Copied',
    copyLabel: 'Copy {label}',
    previous: 'Previous',
    next: 'Next',
    pages: 'Pages',
    pageOf: 'Page {page} of {pages} ({total} {noun})',
    Traditional: 'Traditional web',
    SPA: 'Single-page app',
    Native: 'Native app',
    MachineToMachine: 'Machine-to-machine',
  },
  th: {
    copy: 'คัดลอก',
    copied: 'คัดลอกแล้ว',
    copyLabel: 'คัดลอก {label}',
    previous: 'ก่อนหน้า',
    next: 'ถัดไป',
    pages: 'หน้า',
    pageOf: 'หน้า {page} จาก {pages} ({total} {noun})',
    Traditional: 'เว็บแบบดั้งเดิม',
    SPA: 'แอปหน้าเดียว (SPA)',
    Native: 'แอปเนทีฟ',
    MachineToMachine: 'เครื่องต่อเครื่อง (M2M)',
  },
});

/** Details an API error carries: password rule violations, invalid fields. */
const detailsOf = (error: ApiFailure): string[] => {
  const list = error.data?.violations ?? error.data?.issues;
  if (!Array.isArray(list)) return [];
  return list.map((item: unknown) => {
    if (typeof item === 'string') return item;
    if (item && typeof item === 'object') {
      const record = item as Record<string, unknown>;
      const text = record.message ?? record.code ?? JSON.stringify(item);
      return record.path ? `${String(record.path)}: ${String(text)}` : String(text);
    }
    return String(item);
  });
};

/** An API error as the administrator should read it: the message, its details, and the stable code. */
export const ErrorMessage = ({ error }: { error: unknown }) => {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="error" role="alert">
      <p>{message}</p>
      {error instanceof ApiFailure && detailsOf(error).length > 0 ? (
        <ul>
          {detailsOf(error).map((detail) => (
            <li key={detail}>{detail}</li>
          ))}
        </ul>
      ) : null}
      {error instanceof ApiFailure ? (
        <p className="code">
          <code>{error.code}</code> (HTTP {error.status})
        </p>
      ) : null}
    </div>
  );
};

/** A read-only value with a copy button. */
export const CopyField = ({ label, value, testId }: { label: string; value: string; testId?: string }) => {
  const t = useT(phrases);
  const [copied, setCopied] = useState(false);
  const id = useId();
  return (
    <div className="field copy-field">
      <label htmlFor={id}>{label}</label>
      <div className="row">
        <input
          id={id}
          readOnly
          value={value}
          data-testid={testId}
          onFocus={(event) => event.target.select()}
        />
        <button
          type="button"
          onClick={async () => {
            await navigator.clipboard?.writeText(value).catch(() => undefined);
            setCopied(true);
          }}
          aria-label={t('copyLabel', { label })}
        >
          {copied ? t('copied') : t('copy')}
        </button>
      </div>
    </div>
  );
};

export const applicationTypes: ApplicationType[] = ['Traditional', 'SPA', 'Native', 'MachineToMachine'];

/** The application types' names in the console's language. */
export const useTypeLabel = () => {
  const t = useT(phrases);
  return (type: ApplicationType) => t(type);
};

/** Previous / next for a paged list (the Management API's `page`, `page_size` and `Total-Number`). */
export const Pager = ({
  page,
  pageSize,
  total,
  noun,
  onPage,
}: {
  page: number;
  pageSize: number;
  total: number;
  noun: string;
  onPage: (page: number) => void;
}) => {
  const t = useT(phrases);
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <nav className="pager" aria-label={t('pages')}>
      <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        {t('previous')}
      </button>
      <span>{t('pageOf', { page, pages, total, noun })}</span>
      <button type="button" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        {t('next')}
      </button>
    </nav>
  );
};
