import type { Connector } from '../connectors-api.ts';
import { definePhrases, useLanguage, useT } from '../i18n.ts';
import { move, toggleTarget } from '../sign-in-experience-logic.ts';

const phrases = definePhrases({
  en: {
    none: 'No social connectors yet: add one on the Connectors screen.',
    shown: 'Shown, in this order',
    hidden: 'Not shown',
    show: 'Show {name}',
    up: 'Move {name} up',
    down: 'Move {name} down',
    missing: '{target} (no such connector)',
  },
  th: {
    none: 'ยังไม่มีตัวเชื่อมต่อโซเชียล เพิ่มได้ที่หน้าตัวเชื่อมต่อ',
    shown: 'แสดงตามลำดับนี้',
    hidden: 'ไม่แสดง',
    show: 'แสดง {name}',
    up: 'เลื่อน {name} ขึ้น',
    down: 'เลื่อน {name} ลง',
    missing: '{target} (ไม่มีตัวเชื่อมต่อนี้)',
  },
});

/**
 * The social buttons of the sign-in page (`socialSignInConnectorTargets`): which connectors are shown, and their
 * order, changed with real buttons (keyboard operable; focus stays on the moved row's button).
 */
export const SocialOrder = ({
  connectors,
  targets,
  onChange,
}: {
  connectors: Connector[];
  targets: string[];
  onChange: (targets: string[]) => void;
}) => {
  const t = useT(phrases);
  const language = useLanguage();
  const byTarget = new Map(
    connectors.map((connector) => [connector.target ?? connector.metadata.target ?? connector.id, connector]),
  );
  const nameOf = (target: string) => {
    const connector = byTarget.get(target);
    if (!connector) return t('missing', { target });
    const names = connector.metadata.name ?? {};
    return names[language] ?? names.en ?? target;
  };
  const hidden = [...byTarget.keys()].filter((target) => !targets.includes(target));
  if (targets.length === 0 && hidden.length === 0) return <p className="sie-hint">{t('none')}</p>;

  const moveAndFocus = (index: number, delta: -1 | 1, direction: 'up' | 'down') => {
    onChange(move(targets, index, delta));
    // Keep the keyboard on the row that moved: its button of the same direction, at its new place.
    const target = targets[index];
    requestAnimationFrame(() => {
      const button = document.querySelector<HTMLButtonElement>(
        `[data-social-move="${direction}"][data-target="${CSS.escape(target ?? '')}"]`,
      );
      if (button && !button.disabled) button.focus();
      else
        document
          .querySelector<HTMLButtonElement>(
            `[data-social-move="${direction === 'up' ? 'down' : 'up'}"][data-target="${CSS.escape(target ?? '')}"]`,
          )
          ?.focus();
    });
  };

  return (
    <div className="stack">
      {targets.length > 0 ? (
        <>
          <p className="sie-subheading">{t('shown')}</p>
          <ol className="sie-social">
            {targets.map((target, index) => (
              <li key={target}>
                <label className="check">
                  <input
                    type="checkbox"
                    checked
                    onChange={() => onChange(toggleTarget(targets, target, false))}
                  />
                  <span className="visually-hidden">{t('show', { name: nameOf(target) })}</span>
                  <span aria-hidden="true">{nameOf(target)}</span>
                </label>
                <span className="row">
                  <button
                    type="button"
                    data-social-move="up"
                    data-target={target}
                    aria-label={t('up', { name: nameOf(target) })}
                    disabled={index === 0}
                    onClick={() => moveAndFocus(index, -1, 'up')}
                  >
                    ↑
                  </button>
                  <button
                    type="button"
                    data-social-move="down"
                    data-target={target}
                    aria-label={t('down', { name: nameOf(target) })}
                    disabled={index === targets.length - 1}
                    onClick={() => moveAndFocus(index, 1, 'down')}
                  >
                    ↓
                  </button>
                </span>
              </li>
            ))}
          </ol>
        </>
      ) : null}
      {hidden.length > 0 ? (
        <>
          <p className="sie-subheading">{t('hidden')}</p>
          <ul className="sie-social">
            {hidden.map((target) => (
              <li key={target}>
                <label className="check">
                  <input
                    type="checkbox"
                    checked={false}
                    onChange={() => onChange(toggleTarget(targets, target, true))}
                  />
                  <span className="visually-hidden">{t('show', { name: nameOf(target) })}</span>
                  <span aria-hidden="true">{nameOf(target)}</span>
                </label>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
};
