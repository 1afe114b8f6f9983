import { type FormEvent, type InputHTMLAttributes, type ReactNode, useState } from 'react';
import { ErrorMessage, Pager } from '../components.tsx';
import { type PagedList, useAttempt } from './hooks.ts';

/** A labelled input with an optional help line under it (the input is described by it). */
export const TextField = ({
  id,
  label,
  help,
  helpClassName = 'field-help',
  children,
  ...input
}: InputHTMLAttributes<HTMLInputElement> & {
  id: string;
  label: ReactNode;
  help?: ReactNode;
  helpClassName?: string;
  children?: ReactNode;
}) => (
  <div className="field">
    <label htmlFor={id}>{label}</label>
    <input id={id} {...(help ? { 'aria-describedby': `${id}-help` } : {})} {...input} />
    {help ? (
      <p id={`${id}-help`} className={helpClassName}>
        {help}
      </p>
    ) : null}
    {children}
  </div>
);

/** The end of a form: its error, the submit button, and either a cancel button or a "saved" status. */
export const FormActions = ({
  error,
  submit,
  busy,
  cancel,
  onCancel,
  saved,
}: {
  error: unknown;
  submit: string;
  busy?: boolean;
  cancel?: string;
  onCancel?: () => void;
  saved?: string | false;
}) => (
  <>
    <ErrorMessage error={error} />
    <div className="row">
      <button type="submit" className="primary" disabled={busy}>
        {submit}
      </button>
      {onCancel ? (
        <button type="button" onClick={onCancel}>
          {cancel}
        </button>
      ) : null}
      {saved ? <span role="status">{saved}</span> : null}
    </div>
  </>
);

/** A card with a title, an optional text and one button, with the error of what the button did. */
export const ActionCard = ({
  title,
  text,
  button,
  danger,
  busy,
  error,
  onClick,
  children,
}: {
  title: string;
  text?: string;
  button: string;
  danger?: boolean;
  busy?: boolean;
  error: unknown;
  onClick: () => void;
  children?: ReactNode;
}) => (
  <div className="card stack">
    <h2>{title}</h2>
    {text ? <p className="muted">{text}</p> : null}
    {children}
    <div className="row">
      <button type="button" className={danger ? 'danger' : undefined} onClick={onClick} disabled={busy}>
        {button}
      </button>
    </div>
    <ErrorMessage error={error} />
  </div>
);

/** A details page before its item has loaded: the way back, then the error or "loading". */
export const DetailsPending = ({
  back,
  error,
  loading,
}: {
  back: ReactNode;
  error: unknown;
  loading: string;
}) => (
  <section>
    <p>{back}</p>
    {error ? <ErrorMessage error={error} /> : <p aria-busy="true">{loading}</p>}
  </section>
);

/** A list screen's title with its "create" button, disabled while the create form is open. */
export const ListHeading = ({
  title,
  create,
  creating,
  onCreate,
}: {
  title: string;
  create: string;
  creating: boolean;
  onCreate: () => void;
}) => (
  <div className="heading-row">
    <h1>{title}</h1>
    <button type="button" className="primary" onClick={onCreate} disabled={creating}>
      {create}
    </button>
  </div>
);

/**
 * One page of a list as a table (a row each, from `row`), what to say when it is empty, and the pager; "loading"
 * until the first page has come, nothing when it failed.
 */
export const PagedTable = <T,>({
  paged: { list, error, page, setPage, pageSize },
  columns,
  row,
  empty,
  loading,
  noun,
}: {
  paged: PagedList<T>;
  columns: string[];
  row: (item: T) => ReactNode;
  empty: string;
  loading: string;
  noun: string;
}) =>
  list ? (
    <>
      <table>
        <TableHead columns={columns} />
        <tbody>{list.items.map(row)}</tbody>
      </table>
      {list.items.length === 0 ? <p className="muted">{empty}</p> : null}
      <Pager page={page} pageSize={pageSize} total={list.total} noun={noun} onPage={setPage} />
    </>
  ) : error ? null : (
    <p aria-busy="true">{loading}</p>
  );

/**
 * A card with a form that creates something: `create` calls the API and goes to what it made. The submit button
 * stays disabled from the click until a failure, which is shown above it.
 */
export const CreateForm = ({
  id,
  title,
  submit,
  cancel,
  onCancel,
  create,
  children,
}: {
  id: string;
  title: string;
  submit: string;
  cancel: string;
  onCancel: () => void;
  create: () => Promise<void>;
  children: ReactNode;
}) => {
  const { error, attempt } = useAttempt();
  const [busy, setBusy] = useState(false);
  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    if (!(await attempt(create))) setBusy(false);
  };
  return (
    <form className="card stack" onSubmit={onSubmit} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {children}
      <FormActions error={error} submit={submit} busy={busy} cancel={cancel} onCancel={onCancel} />
    </form>
  );
};

/** A whole (unpaged) list as a table, a row each from `row`; what to say when it is empty; nothing until it loads. */
export const ItemsTable = <T,>({
  items,
  columns,
  row,
  empty,
}: {
  items: T[] | undefined;
  columns: (string | false)[];
  row: (item: T) => ReactNode;
  empty: string;
}) =>
  items === undefined ? null : items.length === 0 ? (
    <p className="muted">{empty}</p>
  ) : (
    <table>
      <TableHead columns={columns} />
      <tbody>{items.map(row)}</tbody>
    </table>
  );

/** A table's column headings (a `false` one is left out), then, with `actions`, a last one only screen readers read. */
export const TableHead = ({ columns, actions }: { columns: (string | false)[]; actions?: string }) => (
  <thead>
    <tr>
      {columns.map((column) =>
        column === false ? null : (
          <th key={column} scope="col">
            {column}
          </th>
        ),
      )}
      {actions ? (
        <th scope="col">
          <span className="visually-hidden">{actions}</span>
        </th>
      ) : null}
    </tr>
  </thead>
);
