import { definePhrases, useT } from '../../i18n.ts';
import { linkTo } from '../../router.ts';

const phrases = definePhrases({
  en: { sections: 'Connector sections', connectors: 'Connectors', outbox: 'Development outbox' },
  th: { sections: 'ส่วนของตัวเชื่อมต่อ', connectors: 'ตัวเชื่อมต่อ', outbox: 'กล่องจดหมายสำหรับการพัฒนา' },
});

export const connectorsBase = '/console/connectors';
export const outboxPath = `${connectorsBase}/outbox`;

/** The Connectors screen's two tabs: the connectors, and the development outbox. */
export const ConnectorTabs = ({ current }: { current: 'connectors' | 'outbox' }) => {
  const t = useT(phrases);
  return (
    <nav className="tabs" aria-label={t('sections')}>
      <a {...linkTo(connectorsBase)} aria-current={current === 'connectors' ? 'page' : undefined}>
        {t('connectors')}
      </a>
      <a {...linkTo(outboxPath)} aria-current={current === 'outbox' ? 'page' : undefined}>
        {t('outbox')}
      </a>
    </nav>
  );
};
