import type { Errors, Field, Value, Values } from './schema-form-logic.ts';

/**
 * Renders the fields generated from a factory's JSON Schema (schema-form-logic.ts): text, URL and password
 * inputs, selects for enums, checkboxes, number inputs, fieldsets for nested objects, key/value rows for string
 * maps and checkbox groups for arrays of enums. Errors (inline validation or the server's issues) sit under their
 * field.
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

const Help = ({ field, error }: { field: Field; error?: string }) => (
  <>
    {field.description ? (
      <p className="help" id={`${idOf(field.path)}-help`}>
        {field.description}
      </p>
    ) : null}
    {error ? (
      <p className="field-error" id={`${idOf(field.path)}-error`} role="alert">
        {field.label} {error}
      </p>
    ) : null}
  </>
);

const describedBy = (field: Field, error?: string) =>
  [field.description ? `${idOf(field.path)}-help` : '', error ? `${idOf(field.path)}-error` : '']
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
              {field.required ? null : <option value="">(not set)</option>}
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
                field.secret && editing ? 'Unchanged (stored secret kept unless retyped)' : undefined
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
                aria-label={`${field.label} name ${index + 1}`}
                value={key}
                onChange={(event) => set(index, [event.target.value, text])}
              />
              <input
                aria-label={`${field.label} value ${index + 1}`}
                value={text}
                onChange={(event) => set(index, [key, event.target.value])}
              />
              <button
                type="button"
                onClick={() =>
                  onChange(
                    field.path,
                    rows.filter((_, i) => i !== index),
                  )
                }
              >
                Remove
              </button>
            </div>
          ))}
          <div>
            <button type="button" onClick={() => onChange(field.path, [...rows, ['', '']])}>
              Add {field.label.toLowerCase()} entry
            </button>
          </div>
        </fieldset>
      );
    }
  }
};
