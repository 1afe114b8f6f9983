import { definePhrases, useLanguage, useT } from './i18n.ts';
import { type Errors, type Field, localizeError, type Value, type Values } from './schema-form-logic.ts';

const phrases = definePhrases({
  en: {
    notSet: '(not set)',
    unchangedSecret: 'Unchanged (stored secret kept unless retyped)',
    remove: 'Remove',
    addEntry: 'Add {label} entry',
    rowName: '{label} name {n}',
    rowValue: '{label} value {n}',
    rowFlag: '{label} {n}: processed',
    processed: 'processed',
    onePerLine: 'One per line.',
    onePerLineSingle: 'One per line; several lines are sent as a list.',
    dateHint: 'ISO 8601, e.g. 2026-01-31T12:00:00Z.',
  },
  th: {
    notSet: '(ไม่ได้ตั้งค่า)',
    unchangedSecret: 'ไม่เปลี่ยน (เก็บค่าลับเดิมไว้ เว้นแต่พิมพ์ใหม่)',
    remove: 'ลบ',
    addEntry: 'เพิ่มรายการ {label}',
    rowName: '{label} ชื่อที่ {n}',
    rowValue: '{label} ค่าที่ {n}',
    rowFlag: '{label} ที่ {n}: ประมวลผล',
    processed: 'ประมวลผล',
    onePerLine: 'บรรทัดละหนึ่งค่า',
    onePerLineSingle: 'บรรทัดละหนึ่งค่า หลายบรรทัดจะส่งเป็นรายการ',
    dateHint: 'รูปแบบ ISO 8601 เช่น 2026-01-31T12:00:00Z',
  },
});

/**
 * Renders the fields generated from a factory's JSON Schema (schema-form-logic.ts): text, URL and password
 * inputs, selects for enums, checkboxes, number inputs, fieldsets for nested objects, key/value rows for string
 * maps (name/checkbox rows for maps of booleans such as `crit`), checkbox groups for arrays of enums, and a
 * text area, one item per line, for lists of strings ("a string or a list", such as `issuer` and `audience`).
 * Errors (inline validation or the server's issues) sit under their field, in the console's language when they
 * are the form's own.
 */
export const SchemaFields = ({
  fields,
  values,
  errors,
  onChange,
  editing = false,
}: {
  fields: Field[];
  values: Values;
  errors: Errors;
  onChange: (path: string, value: Value) => void;
  editing?: boolean;
}) => (
  <>
    {fields.map((field) => (
      <SchemaField
        key={field.path}
        field={field}
        values={values}
        errors={errors}
        onChange={onChange}
        editing={editing}
      />
    ))}
  </>
);

const idOf = (path: string) => `cfg-${path.replace(/\W+/g, '-')}`;

const Label = ({ field, htmlFor }: { field: Field; htmlFor?: string }) => (
  <label htmlFor={htmlFor}>
    {field.label}
    {field.required ? (
      <span className="required" aria-hidden="true">
        {' '}
        *
      </span>
    ) : null}
  </label>
);

/** What the form adds to a field's own description (how to type a list or a date). */
const useHint = (field: Field) => {
  const t = useT(phrases);
  if (field.kind === 'list') return t(field.single ? 'onePerLineSingle' : 'onePerLine');
  if (field.kind === 'string' && field.dateTime) return t('dateHint');
  return undefined;
};

const Help = ({ field, error }: { field: Field; error?: string }) => {
  const language = useLanguage();
  const hint = useHint(field);
  const text = [field.description, hint].filter(Boolean).join(' ');
  return (
    <>
      {text ? (
        <p className="help" id={`${idOf(field.path)}-help`}>
          {text}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={`${idOf(field.path)}-error`} role="alert">
          {field.label} {localizeError(error, language)}
        </p>
      ) : null}
    </>
  );
};

const hasHelp = (field: Field) =>
  Boolean(field.description) || field.kind === 'list' || (field.kind === 'string' && field.dateTime);

const describedBy = (field: Field, error?: string) =>
  [hasHelp(field) ? `${idOf(field.path)}-help` : '', error ? `${idOf(field.path)}-error` : '']
    .filter(Boolean)
    .join(' ') || undefined;

const SchemaField = ({
  field,
  values,
  errors,
  onChange,
  editing,
}: {
  field: Field;
  values: Values;
  errors: Errors;
  onChange: (path: string, value: Value) => void;
  editing: boolean;
}) => {
  const t = useT(phrases);
  const id = idOf(field.path);
  const error = errors[field.path];
  const value = values[field.path];
  const aria = {
    'aria-invalid': error ? true : undefined,
    'aria-describedby': describedBy(field, error),
  } as const;
  switch (field.kind) {
    case 'object':
      return (
        <fieldset className="stack">
          <legend>
            {field.label}
            {field.required ? <span aria-hidden="true"> *</span> : null}
          </legend>
          <Help field={field} error={error} />
          <SchemaFields
            fields={field.fields}
            values={values}
            errors={errors}
            onChange={onChange}
            editing={editing}
          />
        </fieldset>
      );
    case 'string':
      return (
        <div className="field">
          <Label field={field} htmlFor={id} />
          {field.options ? (
            <select
              id={id}
              value={String(value ?? '')}
              onChange={(event) => onChange(field.path, event.target.value)}
              {...aria}
            >
              {field.required ? null : <option value="">{t('notSet')}</option>}
              {field.options.map((option) => (
                <option key={option} value={option}>
                  {option}
                </option>
              ))}
            </select>
          ) : (
            <input
              id={id}
              type={field.secret ? 'password' : field.url ? 'url' : 'text'}
              autoComplete={field.secret ? 'new-password' : 'off'}
              placeholder={
                field.secret && editing
                  ? t('unchangedSecret')
                  : field.dateTime
                    ? '2026-01-31T12:00:00Z'
                    : undefined
              }
              value={String(value ?? '')}
              onChange={(event) => onChange(field.path, event.target.value)}
              {...aria}
            />
          )}
          <Help field={field} error={error} />
        </div>
      );
    case 'number':
      return (
        <div className="field">
          <Label field={field} htmlFor={id} />
          <input
            id={id}
            type="number"
            inputMode="numeric"
            value={String(value ?? '')}
            onChange={(event) => onChange(field.path, event.target.value)}
            {...aria}
          />
          <Help field={field} error={error} />
        </div>
      );
    case 'boolean':
      return (
        <div className="field">
          <label className="check">
            <input
              id={id}
              type="checkbox"
              checked={value === true}
              onChange={(event) => onChange(field.path, event.target.checked)}
              {...aria}
            />{' '}
            {field.label}
          </label>
          <Help field={field} error={error} />
        </div>
      );
    case 'multi': {
      const chosen = Array.isArray(value) ? (value as string[]) : [];
      return (
        <fieldset>
          <legend>{field.label}</legend>
          <div className="checks">
            {field.options.map((option) => (
              <label key={option} className="check">
                <input
                  type="checkbox"
                  checked={chosen.includes(option)}
                  onChange={(event) =>
                    onChange(
                      field.path,
                      event.target.checked
                        ? field.options.filter((o) => o === option || chosen.includes(o))
                        : chosen.filter((o) => o !== option),
                    )
                  }
                />{' '}
                {option}
              </label>
            ))}
          </div>
          <Help field={field} error={error} />
        </fieldset>
      );
    }
    case 'list':
      return (
        <div className="field">
          <Label field={field} htmlFor={id} />
          <textarea
            id={id}
            rows={Math.min(8, Math.max(2, String(value ?? '').split('\n').length + 1))}
            spellCheck={false}
            value={String(value ?? '')}
            onChange={(event) => onChange(field.path, event.target.value)}
            {...aria}
          />
          <Help field={field} error={error} />
        </div>
      );
    case 'map': {
      const rows = Array.isArray(value) ? (value as Array<[string, string]>) : [];
      const set = (index: number, row: [string, string]) =>
        onChange(
          field.path,
          rows.map((current, i) => (i === index ? row : current)),
        );
      return (
        <fieldset className="stack">
          <legend>{field.label}</legend>
          <Help field={field} error={error} />
          {rows.map(([key, text], index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity besides their place.
            <div className="row" key={index}>
              <input
                aria-label={t('rowName', { label: field.label, n: index + 1 })}
                value={key}
                onChange={(event) => set(index, [event.target.value, text])}
              />
              {field.flags ? (
                <label className="check">
                  <input
                    type="checkbox"
                    aria-label={t('rowFlag', { label: field.label, n: index + 1 })}
                    checked={text === 'true'}
                    onChange={(event) => set(index, [key, String(event.target.checked)])}
                  />{' '}
                  <span aria-hidden="true">{t('processed')}</span>
                </label>
              ) : (
                <input
                  aria-label={t('rowValue', { label: field.label, n: index + 1 })}
                  value={text}
                  onChange={(event) => set(index, [key, event.target.value])}
                />
              )}
              <button
                type="button"
                onClick={() =>
                  onChange(
                    field.path,
                    rows.filter((_, i) => i !== index),
                  )
                }
              >
                {t('remove')}
              </button>
            </div>
          ))}
          <div>
            <button
              type="button"
              onClick={() => onChange(field.path, [...rows, ['', field.flags ? 'true' : '']])}
            >
              {t('addEntry', { label: field.label.toLowerCase() })}
            </button>
          </div>
        </fieldset>
      );
    }
  }
};
