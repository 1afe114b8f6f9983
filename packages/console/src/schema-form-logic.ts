/**
 * The pure side of the form generated from a connector factory's JSON Schema (`configSchema`, docs/connectors.md):
 * which fields a schema describes, their starting values, validation before submit, the config sent, and server
 * `connector.invalid_config` issues mapped back onto fields. No DOM, no JSX: unit-tested with node:test.
 */

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  items?: JsonSchema;
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  writeOnly?: boolean;
};

type Common = { path: string; key: string; label: string; description?: string; required: boolean };
export type Field =
  | (Common & {
      kind: 'string';
      secret: boolean;
      /** A URL is expected; `httpOnly`: an absolute http(s) URL. */
      url?: { httpOnly: boolean };
      options?: string[];
      minLength?: number;
      maxLength?: number;
      pattern?: string;
      default?: string;
      /** A date and time (`format: date-time`), typed as ISO 8601. */
      dateTime?: boolean;
    })
  | (Common & { kind: 'number'; integer: boolean; minimum?: number; maximum?: number; default?: number })
  | (Common & { kind: 'boolean'; default?: boolean })
  | (Common & { kind: 'object'; fields: Field[] })
  /** String keys to strings, or to booleans (`flags`, e.g. `crit`): edited as rows. */
  | (Common & { kind: 'map'; flags?: boolean })
  /**
   * A list of strings, one per line. `single`: the schema is "a string or a list of strings" (`issuer`,
   * `audience`): one line is sent as a string, several as a list.
   */
  | (Common & {
      kind: 'list';
      single: boolean;
      minItems?: number;
      maxItems?: number;
      minLength?: number;
      maxLength?: number;
    })
  | (Common & { kind: 'multi'; options: string[]; minItems?: number; maxItems?: number });

/**
 * A form value per field path: text (strings, numbers, lists one item per line), a checkbox, checked options, or
 * key/value rows (a flag's value is `'true'` or `'false'`).
 */
export type Value = string | boolean | string[] | Array<[string, string]>;
export type Values = Record<string, Value>;
export type Errors = Record<string, string>;

/** The mask the server answers in place of a secret (docs/connectors.md "Secrets are masked"). */
export const secretMask = '********';

/** `clientSecret` → "Client secret", `jwksUri` → "JWKS URI". */
export const labelOf = (key: string) => {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(' ')
    .map((word) => {
      const lower = word.toLowerCase();
      if (['jwks', 'uri', 'url', 'id', 'jwt', 'acr'].includes(lower) && word !== 'Id')
        return lower.toUpperCase();
      if (lower === 'id') return 'ID';
      return lower;
    });
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
};

const typesOf = (schema: JsonSchema) => (Array.isArray(schema.type) ? schema.type : [schema.type]);

/** A string that should be a URL: `format: uri`, a name ending in Endpoint/Uri/Url, or a description saying so first. */
const urlOf = (key: string, schema: JsonSchema): { httpOnly: boolean } | undefined => {
  const description = schema.description ?? '';
  const httpOnly = /http\(s\)/i.test(description) || /(endpoint|uri)$/i.test(key);
  if (schema.format === 'uri' || schema.format === 'url' || httpOnly || /url$/i.test(key))
    return { httpOnly };
  // Only when the description's first clause says so ("The provider JWKS URL…"), not "overrides … of the URL".
  if (/^[^.;]*\bURL\b/.test(description)) return { httpOnly };
  return undefined;
};

/** The lines of a list field, trimmed, blank ones dropped. */
export const linesOf = (value: Value | undefined): string[] =>
  typeof value === 'string'
    ? value
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean)
    : [];

/** An array of plain strings (no enum): a list field. */
const isStringList = (schema: JsonSchema | undefined) =>
  Boolean(
    schema && typesOf(schema).includes('array') && schema.items?.type === 'string' && !schema.items.enum,
  );

const listOf = (common: Common, list: JsonSchema, single: boolean): Field => ({
  ...common,
  kind: 'list',
  single,
  ...(list.minItems !== undefined ? { minItems: list.minItems } : {}),
  ...(list.maxItems !== undefined ? { maxItems: list.maxItems } : {}),
  ...(list.items?.minLength !== undefined ? { minLength: list.items.minLength } : {}),
  ...(list.items?.maxLength !== undefined ? { maxLength: list.items.maxLength } : {}),
});

/**
 * The fields a schema describes; what the form cannot edit (no type, `const`, maps of numbers or objects) is left
 * out.
 */
export const fieldsOf = (schema: JsonSchema, secretFields: string[] = [], prefix = ''): Field[] => {
  const required = new Set(schema.required ?? []);
  const fields: Field[] = [];
  for (const [key, raw] of Object.entries(schema.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    const common: Common = {
      path,
      key,
      label: labelOf(key),
      ...(raw.description ? { description: raw.description } : {}),
      required: required.has(key),
    };
    // `anyOf`: a string or a list of strings is a list (one line: sent as a string); any other (an integer or a
    // duration…) is edited as its string branch.
    const stringBranch = raw.anyOf?.find((branch) => branch.type === 'string');
    const listBranch = raw.anyOf?.find(isStringList);
    if (stringBranch && listBranch) {
      fields.push(listOf(common, listBranch, true));
      continue;
    }
    const schema = raw.anyOf ? { ...stringBranch, description: raw.description } : raw;
    if (raw.anyOf && !stringBranch) continue;
    if (raw.const !== undefined) continue;
    const types = typesOf(schema);
    if (types.includes('string')) {
      fields.push({
        ...common,
        kind: 'string',
        secret: Boolean(schema.writeOnly) || secretFields.includes(path),
        ...(urlOf(key, schema) ? { url: urlOf(key, schema) } : {}),
        ...(schema.enum ? { options: schema.enum.map(String) } : {}),
        ...(schema.minLength !== undefined ? { minLength: schema.minLength } : {}),
        ...(schema.maxLength !== undefined ? { maxLength: schema.maxLength } : {}),
        ...(schema.pattern ? { pattern: schema.pattern } : {}),
        ...(typeof schema.default === 'string' ? { default: schema.default } : {}),
        ...(schema.format === 'date-time' ? { dateTime: true } : {}),
      });
    } else if (types.includes('integer') || types.includes('number')) {
      fields.push({
        ...common,
        kind: 'number',
        integer: types.includes('integer'),
        ...(schema.minimum !== undefined ? { minimum: schema.minimum } : {}),
        ...(schema.maximum !== undefined ? { maximum: schema.maximum } : {}),
        ...(typeof schema.default === 'number' ? { default: schema.default } : {}),
      });
    } else if (types.includes('boolean')) {
      fields.push({
        ...common,
        kind: 'boolean',
        ...(typeof schema.default === 'boolean' ? { default: schema.default } : {}),
      });
    } else if (types.includes('array')) {
      if (isStringList(schema)) {
        fields.push(listOf(common, schema, false));
        continue;
      }
      if (!schema.items?.enum) continue;
      fields.push({
        ...common,
        kind: 'multi',
        options: schema.items.enum.map(String),
        ...(schema.minItems !== undefined ? { minItems: schema.minItems } : {}),
        ...(schema.maxItems !== undefined ? { maxItems: schema.maxItems } : {}),
      });
    } else if (types.includes('object')) {
      if (schema.properties) {
        fields.push({ ...common, kind: 'object', fields: fieldsOf(schema, secretFields, path) });
      } else if (typeof schema.additionalProperties === 'object') {
        const valueType = schema.additionalProperties.type;
        if (valueType === 'string') fields.push({ ...common, kind: 'map' });
        else if (valueType === 'boolean') fields.push({ ...common, kind: 'map', flags: true });
      }
    }
  }
  return fields;
};

/** Every field, nested ones included (objects themselves too). */
export const flatten = (fields: Field[]): Field[] =>
  fields.flatMap((field) => (field.kind === 'object' ? [field, ...flatten(field.fields)] : [field]));

const at = (config: unknown, path: string): unknown =>
  path
    .split('.')
    .reduce<unknown>(
      (node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined),
      config,
    );

/**
 * The starting values: from a stored config (edit; a secret starts empty, the stored one is kept unless
 * retyped) or the schema's defaults (create).
 */
export const initialValues = (fields: Field[], config?: Record<string, unknown>): Values => {
  const values: Values = {};
  for (const field of flatten(fields)) {
    const stored = config ? at(config, field.path) : undefined;
    switch (field.kind) {
      case 'string':
        values[field.path] = field.secret
          ? ''
          : stored === undefined || stored === null
            ? config
              ? ''
              : (field.default ?? '')
            : Array.isArray(stored)
              ? stored.join(' ')
              : String(stored);
        break;
      case 'number':
        values[field.path] =
          typeof stored === 'number'
            ? String(stored)
            : !config && field.default !== undefined
              ? String(field.default)
              : '';
        break;
      case 'boolean':
        values[field.path] = typeof stored === 'boolean' ? stored : (field.default ?? false);
        break;
      case 'multi':
        values[field.path] = Array.isArray(stored) ? stored.map(String) : [];
        break;
      case 'map':
        values[field.path] =
          stored && typeof stored === 'object'
            ? Object.entries(stored as Record<string, unknown>).map(([k, v]): [string, string] => [
                k,
                field.flags ? String(v === true) : String(v),
              ])
            : [];
        break;
      case 'list':
        values[field.path] = Array.isArray(stored)
          ? stored.map(String).join('\n')
          : typeof stored === 'string'
            ? stored
            : '';
        break;
      case 'object':
        break;
    }
  }
  return values;
};

const isEmpty = (value: Value | undefined) =>
  value === undefined ||
  (typeof value === 'string' && value.trim() === '') ||
  (Array.isArray(value) && value.length === 0);

/** Whether any field under an optional object has a value (then its required fields are required). */
const anyFilled = (field: Field & { kind: 'object' }, values: Values): boolean =>
  flatten(field.fields).some(
    (inner) => inner.kind !== 'object' && inner.kind !== 'boolean' && !isEmpty(values[inner.path]),
  );

export const checkUrl = (text: string, httpOnly: boolean): string | undefined => {
  try {
    const url = new URL(text);
    if (httpOnly && url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http(s) URL';
    return undefined;
  } catch {
    return httpOnly ? 'must be an absolute http(s) URL' : 'must be an absolute URL';
  }
};

/**
 * Checks the values before submit: required fields (a secret is not required on edit, the stored one stays), URL
 * shapes, enums, lengths, number bounds, item counts, map keys. Answers the errors by field path.
 */
export const validate = (fields: Field[], values: Values, options: { editing?: boolean } = {}): Errors => {
  const errors: Errors = {};
  const visit = (list: Field[], enforceRequired: boolean) => {
    for (const field of list) {
      const value = values[field.path];
      const required = enforceRequired && field.required;
      if (field.kind === 'object') {
        visit(field.fields, required || anyFilled(field, values));
        continue;
      }
      if (field.kind === 'string' && field.secret && options.editing && value === '') continue;
      if (isEmpty(value)) {
        if (required && field.kind !== 'boolean') errors[field.path] = 'is required';
        continue;
      }
      switch (field.kind) {
        case 'string': {
          const text = String(value);
          if (field.options && !field.options.includes(text))
            errors[field.path] = `must be one of ${field.options.join(', ')}`;
          else if (field.minLength !== undefined && text.length < field.minLength)
            errors[field.path] = `must be at least ${field.minLength} characters`;
          else if (field.maxLength !== undefined && text.length > field.maxLength)
            errors[field.path] = `must be at most ${field.maxLength} characters`;
          else if (field.url && checkUrl(text, field.url.httpOnly))
            errors[field.path] = checkUrl(text, field.url.httpOnly) as string;
          else if (field.pattern && !new RegExp(field.pattern).test(text))
            errors[field.path] = 'has the wrong format';
          else if (field.dateTime && Number.isNaN(Date.parse(text)))
            errors[field.path] = 'must be a date and time such as 2026-01-31T12:00:00Z';
          break;
        }
        case 'list': {
          const items = linesOf(value);
          const { minLength = 0, maxLength = Number.POSITIVE_INFINITY } = field;
          if (items.some((item) => item.length < minLength))
            errors[field.path] = `each line must be at least ${minLength} characters`;
          else if (items.some((item) => item.length > maxLength))
            errors[field.path] = `each line must be at most ${maxLength} characters`;
          else if (field.maxItems !== undefined && items.length > field.maxItems)
            errors[field.path] = `must have at most ${field.maxItems} lines`;
          else if (field.minItems !== undefined && items.length < field.minItems)
            errors[field.path] = `must have at least ${field.minItems} lines`;
          break;
        }
        case 'number': {
          const number = Number(value);
          if (!Number.isFinite(number) || String(value).trim() === '')
            errors[field.path] = 'must be a number';
          else if (field.integer && !Number.isInteger(number)) errors[field.path] = 'must be a whole number';
          else if (field.minimum !== undefined && number < field.minimum)
            errors[field.path] = `must be at least ${field.minimum}`;
          else if (field.maximum !== undefined && number > field.maximum)
            errors[field.path] = `must be at most ${field.maximum}`;
          break;
        }
        case 'multi': {
          const chosen = value as string[];
          const unknown = chosen.filter((item) => !field.options.includes(item));
          if (unknown.length > 0) errors[field.path] = `unknown choice: ${unknown.join(', ')}`;
          else if (field.minItems !== undefined && chosen.length < field.minItems)
            errors[field.path] = `choose at least ${field.minItems}`;
          else if (field.maxItems !== undefined && chosen.length > field.maxItems)
            errors[field.path] = `choose at most ${field.maxItems}`;
          break;
        }
        case 'map': {
          const rows = value as Array<[string, string]>;
          const keys = rows.map(([key]) => key.trim());
          if (keys.some((key) => key === '')) errors[field.path] = 'every row needs a name';
          else if (new Set(keys).size !== keys.length) errors[field.path] = 'names must be unique';
          break;
        }
        case 'boolean':
          break;
      }
    }
  };
  visit(fields, true);
  return errors;
};

/**
 * The config to send. On create, empty optional fields are left out. On edit (`original`, the stored config as
 * read), an emptied optional top-level key is sent as `null` (removed), a secret left empty is left out (the
 * stored one is kept), and keys the form does not show are carried over inside nested objects (which the server
 * replaces whole).
 */
export const toConfig = (
  fields: Field[],
  values: Values,
  original?: Record<string, unknown>,
): Record<string, unknown> => {
  const build = (list: Field[], base: Record<string, unknown> | undefined, top: boolean) => {
    const out: Record<string, unknown> = top ? {} : { ...(base ?? {}) };
    for (const field of list) {
      const value = values[field.path];
      const had = base !== undefined && base[field.key] !== undefined && base[field.key] !== null;
      const remove = () => {
        if (top && had) out[field.key] = null;
        else delete out[field.key];
      };
      switch (field.kind) {
        case 'object': {
          const inner = base?.[field.key];
          const built = build(
            field.fields,
            inner && typeof inner === 'object' ? (inner as Record<string, unknown>) : undefined,
            false,
          );
          if (Object.keys(built).length > 0) out[field.key] = built;
          else remove();
          break;
        }
        case 'string':
          if (field.secret && original && (value === '' || value === secretMask)) delete out[field.key];
          else if (isEmpty(value)) remove();
          else if (field.dateTime) out[field.key] = new Date(String(value)).toISOString();
          else out[field.key] = value;
          break;
        case 'number':
          if (isEmpty(value)) remove();
          else out[field.key] = Number(value);
          break;
        case 'boolean':
          out[field.key] = Boolean(value);
          break;
        case 'multi':
          if (isEmpty(value)) remove();
          else out[field.key] = value;
          break;
        case 'map': {
          const rows = (value ?? []) as Array<[string, string]>;
          if (rows.length === 0) remove();
          else
            out[field.key] = Object.fromEntries(
              rows.map(([key, text]) => [key.trim(), field.flags ? text === 'true' : text]),
            );
          break;
        }
        case 'list': {
          const items = linesOf(value);
          if (items.length === 0) remove();
          else out[field.key] = field.single && items.length === 1 ? items[0] : items;
          break;
        }
      }
    }
    return out;
  };
  return build(fields, original, true);
};

/**
 * Server issues (`data.issues` of `connector.invalid_config`, paths like `idTokenVerificationConfig.jwksUri` or
 * `idTokenVerificationConfig.algorithms.0`) put on the deepest field whose path starts them; the rest under `''`.
 */
export const issuesToErrors = (fields: Field[], issues: unknown): Errors => {
  const errors: Errors = {};
  if (!Array.isArray(issues)) return errors;
  const paths = flatten(fields)
    .map((field) => field.path)
    .sort((a, b) => b.length - a.length);
  for (const issue of issues) {
    if (!issue || typeof issue !== 'object') continue;
    const { path, message } = issue as { path?: unknown; message?: unknown };
    const text = typeof path === 'string' ? path : Array.isArray(path) ? path.join('.') : '';
    const target = paths.find((candidate) => text === candidate || text.startsWith(`${candidate}.`)) ?? '';
    const line =
      target === text || target === ''
        ? String(message ?? 'is invalid')
        : `${text.slice(target.length + 1)}: ${String(message)}`;
    errors[target] = errors[target] ? `${errors[target]}; ${line}` : line;
  }
  return errors;
};

/** The connector's own fields besides its config (docs/connectors.md "Adding a connector"). */
export type Metadata = {
  target: string;
  nameEn: string;
  nameTh: string;
  logo: string;
  logoDark: string;
  syncProfile: boolean;
  enableTokenStorage: boolean;
};

export const validateMetadata = (metadata: Metadata): Errors => {
  const errors: Errors = {};
  if (!metadata.target) errors.target = 'is required';
  else if (!/^[\w.-]{1,128}$/.test(metadata.target))
    errors.target = 'letters, digits, "_", "." and "-" only (at most 128)';
  for (const key of ['logo', 'logoDark'] as const) {
    const problem = metadata[key] ? checkUrl(metadata[key], true) : undefined;
    if (problem) errors[key] = problem;
  }
  return errors;
};

/** The `metadata` object sent (`name` per language; an empty Thai name is left out; `null` logo removes it). */
export const toMetadata = (metadata: Metadata) => ({
  target: metadata.target,
  name: { en: metadata.nameEn || metadata.target, ...(metadata.nameTh ? { th: metadata.nameTh } : {}) },
  logo: metadata.logo || null,
  logoDark: metadata.logoDark || null,
});

/** The form's own messages (validate, validateMetadata) in Thai; the server's messages are left as they are. */
const thaiMessages: Array<[RegExp, string]> = [
  [/^is required$/, 'ต้องกรอก'],
  [/^must be one of (.+)$/, 'ต้องเป็นค่าใดค่าหนึ่งต่อไปนี้: $1'],
  [/^must be at least (\d+) characters$/, 'ต้องยาวอย่างน้อย $1 ตัวอักษร'],
  [/^must be at most (\d+) characters$/, 'ต้องยาวไม่เกิน $1 ตัวอักษร'],
  [/^must be an http\(s\) URL$/, 'ต้องเป็น URL แบบ http(s)'],
  [/^must be an absolute http\(s\) URL$/, 'ต้องเป็น URL แบบ http(s) ที่เต็มรูปแบบ'],
  [/^must be an absolute URL$/, 'ต้องเป็น URL ที่เต็มรูปแบบ'],
  [/^has the wrong format$/, 'รูปแบบไม่ถูกต้อง'],
  [/^must be a date and time such as (\S+)$/, 'ต้องเป็นวันและเวลา เช่น $1'],
  [/^must be a number$/, 'ต้องเป็นตัวเลข'],
  [/^must be a whole number$/, 'ต้องเป็นจำนวนเต็ม'],
  [/^must be at least (\S+)$/, 'ต้องไม่น้อยกว่า $1'],
  [/^must be at most (\S+)$/, 'ต้องไม่เกิน $1'],
  [/^unknown choice: (.+)$/, 'ตัวเลือกที่ไม่รู้จัก: $1'],
  [/^choose at least (\d+)$/, 'เลือกอย่างน้อย $1 รายการ'],
  [/^choose at most (\d+)$/, 'เลือกได้ไม่เกิน $1 รายการ'],
  [/^every row needs a name$/, 'ทุกแถวต้องมีชื่อ'],
  [/^names must be unique$/, 'ชื่อต้องไม่ซ้ำกัน'],
  [/^each line must be at least (\d+) characters$/, 'แต่ละบรรทัดต้องยาวอย่างน้อย $1 ตัวอักษร'],
  [/^each line must be at most (\d+) characters$/, 'แต่ละบรรทัดต้องยาวไม่เกิน $1 ตัวอักษร'],
  [/^must have at least (\d+) lines$/, 'ต้องมีอย่างน้อย $1 บรรทัด'],
  [/^must have at most (\d+) lines$/, 'ต้องมีไม่เกิน $1 บรรทัด'],
  [
    /^letters, digits, "_", "\." and "-" only \(at most 128\)$/,
    'ใช้ได้เฉพาะตัวอักษร ตัวเลข "_" "." และ "-" (ไม่เกิน 128 ตัว)',
  ],
];

/** A validation message in the console's language (`en` as written; `th` translated when it is the form's own). */
export const localizeError = (message: string, language: 'en' | 'th'): string => {
  if (language === 'en') return message;
  for (const [pattern, thai] of thaiMessages)
    if (pattern.test(message)) return message.replace(pattern, thai);
  return message;
};
