import { type FormEvent, useMemo, useState } from 'react';
import { ApiFailure, type ManagementApi } from '../../api.ts';
import { ErrorMessage } from '../../components.tsx';
import type { Connector, ConnectorFactory } from '../../connectors-api.ts';
import { definePhrases, useLanguage, useT } from '../../i18n.ts';
import { navigate } from '../../router.ts';
import { SchemaFields } from '../../schema-form.tsx';
import {
  type Errors,
  fieldsOf,
  initialValues,
  issuesToErrors,
  localizeError,
  type Metadata,
  toConfig,
  toMetadata,
  type Value,
  type Values,
  validate,
  validateMetadata,
} from '../../schema-form-logic.ts';
import { connectorsBase } from './Tabs.tsx';

const phrases = definePhrases({
  en: {
    settings: 'Settings',
    newTitle: 'New {name} connector',
    requiredBefore: 'Fields marked',
    requiredAfter: 'are required.',
    buttonLegend: 'Sign-in button',
    target: 'Target (IdP name)',
    targetHelp: 'Letters, digits, "_", "." and "-"; fixed once created.',
    nameEn: 'Button name (English)',
    nameEnHelp: 'Shown as "Continue with …"; the target if empty.',
    nameTh: 'Button name (Thai)',
    optional: 'Optional.',
    logo: 'Logo URL',
    logoHelp: 'Optional http(s) URL.',
    logoDark: 'Dark logo URL',
    logoDarkHelp: 'Optional http(s) URL, for dark mode.',
    syncProfile: 'Sync profile (refresh name and picture at every sign-in)',
    tokenStorage: "Store the provider's tokens",
    providerSettings: 'Provider settings',
    mailServer: 'Mail server',
    smtpPassword:
      'The password shows as ******** and is kept unless you type a new one in its place. Percent-encode "@", ":" and "/" in the user name and password.',
    correctOne: 'Please correct the field marked above.',
    correctMany: 'Please correct the {n} fields marked above.',
    saved: 'Saved.',
    save: 'Save',
    create: 'Create connector',
  },
  th: {
    settings: 'การตั้งค่า',
    newTitle: 'ตัวเชื่อมต่อ {name} ใหม่',
    requiredBefore: 'ช่องที่มีเครื่องหมาย',
    requiredAfter: 'ต้องกรอก',
    buttonLegend: 'ปุ่มลงชื่อเข้าใช้',
    target: 'เป้าหมาย (ชื่อ IdP)',
    targetHelp: 'ตัวอักษร ตัวเลข "_" "." และ "-" เปลี่ยนไม่ได้หลังสร้างแล้ว',
    nameEn: 'ชื่อปุ่ม (ภาษาอังกฤษ)',
    nameEnHelp: 'แสดงเป็น "ดำเนินการต่อด้วย …" หากเว้นว่างจะใช้ชื่อเป้าหมาย',
    nameTh: 'ชื่อปุ่ม (ภาษาไทย)',
    optional: 'ไม่บังคับ',
    logo: 'URL โลโก้',
    logoHelp: 'URL แบบ http(s) ไม่บังคับ',
    logoDark: 'URL โลโก้สำหรับโหมดมืด',
    logoDarkHelp: 'URL แบบ http(s) ไม่บังคับ ใช้ในโหมดมืด',
    syncProfile: 'ซิงก์โปรไฟล์ (อัปเดตชื่อและรูปภาพทุกครั้งที่ลงชื่อเข้าใช้)',
    tokenStorage: 'เก็บโทเค็นของผู้ให้บริการ',
    providerSettings: 'การตั้งค่าผู้ให้บริการ',
    mailServer: 'เซิร์ฟเวอร์อีเมล',
    smtpPassword:
      'รหัสผ่านจะแสดงเป็น ******** และระบบจะเก็บรหัสผ่านเดิมไว้ เว้นแต่พิมพ์รหัสผ่านใหม่แทนที่ ให้เข้ารหัสแบบเปอร์เซ็นต์ (percent-encode) สำหรับ "@" ":" และ "/" ในชื่อผู้ใช้และรหัสผ่าน',
    correctOne: 'โปรดแก้ไขช่องที่ทำเครื่องหมายไว้ด้านบน',
    correctMany: 'โปรดแก้ไข {n} ช่องที่ทำเครื่องหมายไว้ด้านบน',
    saved: 'บันทึกแล้ว',
    save: 'บันทึก',
    create: 'สร้างตัวเชื่อมต่อ',
  },
});

const metadataOf = (connector?: Connector): Metadata => ({
  target: connector?.target ?? connector?.metadata.target ?? '',
  nameEn: connector?.metadata.name?.en ?? '',
  nameTh: connector?.metadata.name?.th ?? '',
  logo: connector?.metadata.logo ?? '',
  logoDark: connector?.metadata.logoDark ?? '',
  syncProfile: connector?.syncProfile ?? false,
  enableTokenStorage: connector?.enableTokenStorage ?? false,
});

const metadataFields = [
  { key: 'target', label: 'target', help: 'targetHelp' },
  { key: 'nameEn', label: 'nameEn', help: 'nameEnHelp' },
  { key: 'nameTh', label: 'nameTh', help: 'optional' },
  { key: 'logo', label: 'logo', help: 'logoHelp' },
  { key: 'logoDark', label: 'logoDark', help: 'logoDarkHelp' },
] as const;

/**
 * The form of a connector, generated from its factory's schema; creates or updates. A social connector also has
 * its sign-in button (target, names, logos) and switches; an email connector has its config only.
 */
export const ConnectorForm = ({
  api,
  factory,
  connector,
  onSaved,
}: {
  api: ManagementApi;
  factory: ConnectorFactory;
  connector?: Connector;
  onSaved?: (connector: Connector) => void;
}) => {
  const t = useT(phrases);
  const language = useLanguage();
  const editing = Boolean(connector);
  const social = factory.type === 'Social';
  const fields = useMemo(() => fieldsOf(factory.configSchema, factory.secretFields), [factory]);
  const [values, setValues] = useState<Values>(() => initialValues(fields, connector?.config));
  const [metadata, setMetadata] = useState<Metadata>(() => metadataOf(connector));
  const [errors, setErrors] = useState<Errors>({});
  const [metaErrors, setMetaErrors] = useState<Errors>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);

  const change = (path: string, value: Value) => {
    setValues((current) => ({ ...current, [path]: value }));
    setErrors(({ [path]: _, ...rest }) => rest);
    setSaved(false);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = validate(fields, values, { editing });
    const foundMeta = social ? validateMetadata(metadata) : {};
    setErrors(found);
    setMetaErrors(foundMeta);
    setError(undefined);
    setSaved(false);
    if (Object.keys(found).length > 0 || Object.keys(foundMeta).length > 0) return;
    setBusy(true);
    try {
      const config = toConfig(fields, values, connector?.config);
      const body = social
        ? {
            config,
            metadata: toMetadata(metadata),
            syncProfile: metadata.syncProfile,
            enableTokenStorage: metadata.enableTokenStorage,
          }
        : { config, metadata: {}, syncProfile: false, enableTokenStorage: false };
      if (connector) {
        const updated = await api.updateConnector(connector.id, social ? body : { config });
        setValues(initialValues(fields, updated.config));
        setSaved(true);
        onSaved?.(updated);
      } else {
        const created = await api.createConnector({ connectorId: factory.id, ...body });
        navigate(`${connectorsBase}/${encodeURIComponent(created.id)}`);
      }
    } catch (failure) {
      if (failure instanceof ApiFailure && failure.code === 'connector.invalid_config') {
        setErrors(issuesToErrors(fields, failure.data?.issues));
      }
      if (failure instanceof ApiFailure && failure.code.startsWith('connector.target'))
        setMetaErrors({ target: failure.message });
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const invalid = Object.keys(errors).length + Object.keys(metaErrors).length;
  const factoryName = factory.name[language] ?? factory.name.en;
  return (
    <form className="card stack" onSubmit={submit} noValidate aria-labelledby="connector-form-title">
      <h2 id="connector-form-title">{editing ? t('settings') : t('newTitle', { name: factoryName })}</h2>
      <p className="muted">
        {t('requiredBefore')} <span aria-hidden="true">*</span> {t('requiredAfter')}
      </p>
      {social ? (
        <fieldset className="stack">
          <legend>{t('buttonLegend')}</legend>
          {metadataFields.map(({ key, label, help }) => (
            <div className="field" key={key}>
              <label htmlFor={`meta-${key}`}>
                {t(label)}
                {key === 'target' ? <span aria-hidden="true"> *</span> : null}
              </label>
              <input
                id={`meta-${key}`}
                type={key.startsWith('logo') ? 'url' : 'text'}
                value={metadata[key]}
                readOnly={key === 'target' && editing}
                aria-invalid={metaErrors[key] ? true : undefined}
                aria-describedby={`meta-${key}-help${metaErrors[key] ? ` meta-${key}-error` : ''}`}
                onChange={(event) => {
                  setMetadata({ ...metadata, [key]: event.target.value });
                  setMetaErrors(({ [key]: _, ...rest }) => rest);
                }}
              />
              <p className="help" id={`meta-${key}-help`}>
                {t(help)}
              </p>
              {metaErrors[key] ? (
                <p className="field-error" id={`meta-${key}-error`} role="alert">
                  {t(label)} {localizeError(metaErrors[key], language)}
                </p>
              ) : null}
            </div>
          ))}
          <label className="check">
            <input
              type="checkbox"
              checked={metadata.syncProfile}
              onChange={(event) => setMetadata({ ...metadata, syncProfile: event.target.checked })}
            />{' '}
            {t('syncProfile')}
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={metadata.enableTokenStorage}
              onChange={(event) => setMetadata({ ...metadata, enableTokenStorage: event.target.checked })}
            />{' '}
            {t('tokenStorage')}
          </label>
        </fieldset>
      ) : null}
      <fieldset className="stack">
        <legend>{social ? t('providerSettings') : t('mailServer')}</legend>
        {!social && editing ? <p className="help">{t('smtpPassword')}</p> : null}
        <SchemaFields fields={fields} values={values} errors={errors} onChange={change} editing={editing} />
      </fieldset>
      {errors[''] ? (
        <p className="field-error" role="alert">
          {errors['']}
        </p>
      ) : null}
      {invalid > 0 && !error ? (
        <p className="field-error" role="alert">
          {invalid === 1 ? t('correctOne') : t('correctMany', { n: invalid })}
        </p>
      ) : null}
      <ErrorMessage error={error} />
      {saved ? <p role="status">{t('saved')}</p> : null}
      <div className="row">
        <button type="submit" className="primary" disabled={busy}>
          {editing ? t('save') : t('create')}
        </button>
      </div>
    </form>
  );
};
