import { useCallback, useEffect, useState } from 'react';
import type { ManagementApi } from '../api.ts';
import { ErrorMessage, Pager } from '../components.tsx';
import type { OutboxMessage } from '../connectors-api.ts';
import { definePhrases, useLanguage, useT } from '../i18n.ts';
import { ConnectorTabs } from './connectors/Tabs.tsx';
import './connectors.css';

const phrases = definePhrases({
  en: {
    title: 'Development outbox',
    intro:
      'Emails Gatehouse keeps instead of delivering them while neither an email connector nor SMTP_URL is configured. Each is kept for one day. They hold live verification codes: configure SMTP for any real use.',
    connectorNote:
      'An email connector is configured: new messages are sent through it and do not appear here.',
    loading: 'Loading…',
    empty:
      'The outbox is empty. A message appears here when a verification code is sent by email while no SMTP server is configured.',
    refresh: 'Refresh',
    clear: 'Empty the outbox',
    confirmClear: 'Delete every message in the outbox?',
    yesClear: 'Yes, empty it',
    cancel: 'Cancel',
    to: 'To',
    sent: 'Sent',
    message: 'Message',
    noun: 'messages',
  },
  th: {
    title: 'กล่องจดหมายสำหรับการพัฒนา',
    intro:
      'อีเมลที่ Gatehouse เก็บไว้แทนการส่งจริงในขณะที่ยังไม่ได้ตั้งค่าตัวเชื่อมต่ออีเมลหรือ SMTP_URL แต่ละข้อความเก็บไว้หนึ่งวัน ข้อความเหล่านี้มีรหัสยืนยันที่ใช้งานได้จริง: โปรดตั้งค่า SMTP ก่อนใช้งานจริง',
    connectorNote: 'มีการตั้งค่าตัวเชื่อมต่ออีเมลแล้ว: ข้อความใหม่จะส่งผ่านตัวเชื่อมต่อนั้นและไม่แสดงที่นี่',
    loading: 'กำลังโหลด…',
    empty: 'กล่องจดหมายว่างเปล่า ข้อความจะแสดงที่นี่เมื่อมีการส่งรหัสยืนยันทางอีเมลขณะที่ยังไม่ได้ตั้งค่าเซิร์ฟเวอร์ SMTP',
    refresh: 'รีเฟรช',
    clear: 'ล้างกล่องจดหมาย',
    confirmClear: 'ลบข้อความทั้งหมดในกล่องจดหมายหรือไม่',
    yesClear: 'ใช่ ล้างเลย',
    cancel: 'ยกเลิก',
    to: 'ถึง',
    sent: 'เวลาที่ส่ง',
    message: 'ข้อความ',
    noun: 'ข้อความ',
  },
});

const pageSize = 20;

/** The development outbox (`GET /api/outbox`, newest first): recipient, subject, time and text of each message. */
export const Outbox = ({ api }: { api: ManagementApi }) => {
  const t = useT(phrases);
  const language = useLanguage();
  const [page, setPage] = useState(1);
  const [list, setList] = useState<{ items: OutboxMessage[]; total: number }>();
  const [hasConnector, setHasConnector] = useState(false);
  const [error, setError] = useState<unknown>();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    setError(undefined);
    try {
      const [messages, connectors] = await Promise.all([
        api.listOutbox(page, pageSize),
        api.listConnectors(),
      ]);
      setList(messages);
      setHasConnector(connectors.some((connector) => connector.type === 'Email'));
    } catch (failure) {
      setError(failure);
    }
  }, [api, page]);
  useEffect(() => {
    void load();
  }, [load]);

  const clear = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api.clearOutbox();
      setConfirming(false);
      setPage(1);
      await load();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const time = (epoch: number) =>
    new Date(epoch).toLocaleString(language === 'th' ? 'th-TH' : 'en-GB', {
      dateStyle: 'medium',
      timeStyle: 'medium',
    });

  return (
    <section className="stack">
      <h1>{t('title')}</h1>
      <ConnectorTabs current="outbox" />
      <p className="muted">{t('intro')}</p>
      {hasConnector ? <p className="notice">{t('connectorNote')}</p> : null}
      <div className="row">
        <button type="button" onClick={() => load()} disabled={busy}>
          {t('refresh')}
        </button>
        {list && list.total > 0 ? (
          confirming ? (
            <>
              <span>{t('confirmClear')}</span>
              <button type="button" className="danger" onClick={clear} disabled={busy}>
                {t('yesClear')}
              </button>
              <button type="button" onClick={() => setConfirming(false)}>
                {t('cancel')}
              </button>
            </>
          ) : (
            <button type="button" onClick={() => setConfirming(true)}>
              {t('clear')}
            </button>
          )
        ) : null}
      </div>
      <ErrorMessage error={error} />
      {!list ? (
        error ? null : (
          <p aria-busy="true">{t('loading')}</p>
        )
      ) : list.items.length === 0 ? (
        <p className="empty-state">{t('empty')}</p>
      ) : (
        <>
          <ul className="outbox plain stack">
            {list.items.map((message) => (
              <li key={message.id}>
                <article className="card stack" aria-labelledby={`outbox-${message.id}`}>
                  <h2 id={`outbox-${message.id}`}>{message.subject}</h2>
                  <dl className="outbox-meta">
                    <dt>{t('to')}</dt>
                    <dd>{message.to}</dd>
                    <dt>{t('sent')}</dt>
                    <dd>
                      <time dateTime={new Date(message.createdAt).toISOString()}>
                        {time(message.createdAt)}
                      </time>
                    </dd>
                  </dl>
                  <h3 className="visually-hidden">{t('message')}</h3>
                  <pre className="mono outbox-text">{message.text}</pre>
                </article>
              </li>
            ))}
          </ul>
          <Pager page={page} pageSize={pageSize} total={list.total} noun={t('noun')} onPage={setPage} />
        </>
      )}
    </section>
  );
};
