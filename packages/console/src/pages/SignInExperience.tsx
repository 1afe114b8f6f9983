import { type FormEvent, type ReactNode, useEffect, useId, useMemo, useState } from 'react';
import type { ManagementApi } from '../api.ts';
import { ErrorMessage } from '../components.tsx';
import type { Connector } from '../connectors-api.ts';
import { definePhrases, useT } from '../i18n.ts';
import {
  type Identifier,
  identifiers,
  isDirty,
  type MethodForm,
  type SignInExperience as Settings,
  type SignInExperienceForm,
  toForm,
  toPatch,
} from '../sign-in-experience-logic.ts';
import { TextField as Field } from '../ui/parts.tsx';
import './sign-in-experience.css';
import { SignInPreview } from './SignInPreview.tsx';
import { SocialOrder } from './SocialOrder.tsx';

const phrases = definePhrases({
  en: {
    title: 'Sign-in experience',
    intro:
      'What the hosted sign-in and sign-up pages offer. The preview follows your changes before you save them.',
    loading: 'Loading…',
    signIn: 'Sign-in methods',
    signInHint:
      'How people sign in: each identifier with a password and/or a verification code (codes go to email).',
    username: 'Username',
    email: 'Email',
    phone: 'Phone',
    password: 'Password',
    code: 'Verification code',
    first: 'Shown first',
    firstPassword: 'Password',
    firstCode: 'Verification code',
    methodOf: '{identifier}: sign in with',
    signUp: 'Sign-up',
    signUpIdentifiers: 'Sign-up identifiers',
    socialOnly: 'None checked: people sign up through social connectors only.',
    signUpPassword: 'Set a password at sign-up',
    signUpVerify: 'Verify the email with a code',
    passwordPolicy: 'Password policy',
    minLength: 'Minimum length',
    minLengthHint: '8 to 256 characters.',
    characterTypes: 'Character types required',
    characterTypesHint: 'Of lower case, upper case, digits and symbols; 1 means no composition rule.',
    rejectPwned: 'Reject passwords found in data breaches',
    rejectUserInfo: "Reject passwords containing the user's name, username or email",
    social: 'Social sign-in buttons',
    branding: 'Branding',
    logoUrl: 'Logo URL',
    darkLogoUrl: 'Logo URL for dark mode',
    urlHint: 'An absolute https URL, or empty for none.',
    primaryColor: 'Primary colour',
    darkMode: 'Follow the visitor’s dark mode',
    darkPrimaryColor: 'Primary colour in dark mode',
    languages: 'Languages',
    autoDetect: "Detect the visitor's language",
    fallbackLanguage: 'Fallback language',
    legal: 'Terms and sign-in mode',
    termsOfUseUrl: 'Terms of use URL',
    privacyPolicyUrl: 'Privacy policy URL',
    signInMode: 'Sign-in mode',
    SignInAndRegister: 'Sign in and create accounts',
    SignIn: 'Sign in only (no sign-up)',
    Register: 'Create accounts only',
    save: 'Save changes',
    saving: 'Saving…',
    discard: 'Discard changes',
    unsaved: 'Unsaved changes: the preview shows them, the hosted pages do not yet.',
    saved: 'Saved. The hosted pages show these settings.',
    upToDate: 'No unsaved changes.',
  },
  th: {
    title: 'ประสบการณ์การเข้าสู่ระบบ',
    intro: 'สิ่งที่หน้าเข้าสู่ระบบและหน้าสมัครสมาชิกนำเสนอ ตัวอย่างจะแสดงการเปลี่ยนแปลงของคุณก่อนบันทึก',
    loading: 'กำลังโหลด…',
    signIn: 'วิธีเข้าสู่ระบบ',
    signInHint: 'ผู้ใช้เข้าสู่ระบบอย่างไร: ตัวระบุแต่ละแบบกับรหัสผ่านและ/หรือรหัสยืนยัน (รหัสส่งทางอีเมลเท่านั้น)',
    username: 'ชื่อผู้ใช้',
    email: 'อีเมล',
    phone: 'โทรศัพท์',
    password: 'รหัสผ่าน',
    code: 'รหัสยืนยัน',
    first: 'แสดงก่อน',
    firstPassword: 'รหัสผ่าน',
    firstCode: 'รหัสยืนยัน',
    methodOf: '{identifier}: เข้าสู่ระบบด้วย',
    signUp: 'การสมัครสมาชิก',
    signUpIdentifiers: 'ตัวระบุสำหรับสมัครสมาชิก',
    socialOnly: 'ไม่เลือกเลย: สมัครสมาชิกได้ผ่านบัญชีโซเชียลเท่านั้น',
    signUpPassword: 'ตั้งรหัสผ่านตอนสมัคร',
    signUpVerify: 'ยืนยันอีเมลด้วยรหัส',
    passwordPolicy: 'นโยบายรหัสผ่าน',
    minLength: 'ความยาวขั้นต่ำ',
    minLengthHint: '8 ถึง 256 ตัวอักษร',
    characterTypes: 'จำนวนประเภทตัวอักษรที่ต้องมี',
    characterTypesHint: 'จากตัวพิมพ์เล็ก ตัวพิมพ์ใหญ่ ตัวเลข และสัญลักษณ์ 1 หมายถึงไม่บังคับ',
    rejectPwned: 'ปฏิเสธรหัสผ่านที่เคยรั่วไหล',
    rejectUserInfo: 'ปฏิเสธรหัสผ่านที่มีชื่อ ชื่อผู้ใช้ หรืออีเมลของผู้ใช้',
    social: 'ปุ่มเข้าสู่ระบบด้วยโซเชียล',
    branding: 'แบรนด์',
    logoUrl: 'URL ของโลโก้',
    darkLogoUrl: 'URL ของโลโก้สำหรับโหมดมืด',
    urlHint: 'URL แบบเต็มที่ขึ้นต้นด้วย https หรือเว้นว่างไว้',
    primaryColor: 'สีหลัก',
    darkMode: 'ใช้โหมดมืดตามอุปกรณ์ของผู้เยี่ยมชม',
    darkPrimaryColor: 'สีหลักในโหมดมืด',
    languages: 'ภาษา',
    autoDetect: 'ตรวจหาภาษาของผู้เยี่ยมชม',
    fallbackLanguage: 'ภาษาสำรอง',
    legal: 'ข้อกำหนดและโหมดการเข้าสู่ระบบ',
    termsOfUseUrl: 'URL ข้อกำหนดการใช้งาน',
    privacyPolicyUrl: 'URL นโยบายความเป็นส่วนตัว',
    signInMode: 'โหมดการเข้าสู่ระบบ',
    SignInAndRegister: 'เข้าสู่ระบบและสร้างบัญชี',
    SignIn: 'เข้าสู่ระบบเท่านั้น (ไม่เปิดรับสมัคร)',
    Register: 'สร้างบัญชีเท่านั้น',
    save: 'บันทึกการเปลี่ยนแปลง',
    saving: 'กำลังบันทึก…',
    discard: 'ยกเลิกการเปลี่ยนแปลง',
    unsaved: 'มีการเปลี่ยนแปลงที่ยังไม่บันทึก: ตัวอย่างแสดงแล้ว แต่หน้าจริงยังไม่เปลี่ยน',
    saved: 'บันทึกแล้ว หน้าเข้าสู่ระบบใช้การตั้งค่านี้แล้ว',
    upToDate: 'ไม่มีการเปลี่ยนแปลงที่ยังไม่บันทึก',
  },
});

type T = (key: keyof (typeof phrases)['en'], vars?: Record<string, string | number>) => string;

/** The Sign-in experience screen: every setting of `/api/sign-in-exp`, saved with one PATCH, and a live preview. */
export const SignInExperience = ({ api }: { api: ManagementApi }) => {
  const t = useT(phrases);
  const [saved, setSaved] = useState<Settings>();
  const [form, setForm] = useState<SignInExperienceForm>();
  const [connectors, setConnectors] = useState<Connector[]>([]);
  const [loadError, setLoadError] = useState<unknown>();
  const [saveError, setSaveError] = useState<unknown>();
  const [saving, setSaving] = useState(false);
  const [justSaved, setJustSaved] = useState(false);

  useEffect(() => {
    let cancelled = false;
    Promise.all([api.getSignInExperience(), api.listConnectors()]).then(
      ([settings, list]) => {
        if (cancelled) return;
        setSaved(settings);
        setForm(toForm(settings));
        setConnectors(list.filter((connector) => connector.type === 'Social'));
      },
      (error: unknown) => !cancelled && setLoadError(error),
    );
    return () => {
      cancelled = true;
    };
  }, [api]);

  const dirty = useMemo(() => Boolean(form && saved && isDirty(form, saved)), [form, saved]);
  const patch = useMemo(() => (form ? toPatch(form) : undefined), [form]);

  if (loadError) {
    return (
      <section>
        <h1>{t('title')}</h1>
        <ErrorMessage error={loadError} />
      </section>
    );
  }
  if (!form || !saved || !patch) return <p aria-busy="true">{t('loading')}</p>;

  const update = (changes: Partial<SignInExperienceForm>) => {
    setJustSaved(false);
    setForm({ ...form, ...changes });
  };
  const updateMethod = (identifier: Identifier, changes: Partial<MethodForm>) =>
    update({
      methods: form.methods.map((method) =>
        method.identifier === identifier ? { ...method, ...changes } : method,
      ),
    });

  /** The form's plain fields, each named by its key (which is also its label's phrase). */
  const urlField = (key: 'logoUrl' | 'darkLogoUrl' | 'termsOfUseUrl' | 'privacyPolicyUrl') => (
    <TextField
      label={t(key)}
      hint={t('urlHint')}
      type="url"
      value={form[key]}
      onChange={(value) => update({ [key]: value })}
    />
  );
  const colorField = (key: 'primaryColor' | 'darkPrimaryColor') => (
    <TextField
      label={t(key)}
      type="color"
      value={form[key].toLowerCase()}
      onChange={(value) => update({ [key]: value })}
    />
  );
  const check = (key: 'rejectPwned' | 'rejectUserInfo' | 'darkMode' | 'autoDetect') => (
    <Check label={t(key)} checked={form[key]} onChange={(value) => update({ [key]: value })} />
  );

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    setSaveError(undefined);
    try {
      const next = await api.updateSignInExperience(toPatch(form));
      setSaved(next);
      setForm(toForm(next));
      setJustSaved(true);
    } catch (error) {
      setSaveError(error);
    } finally {
      setSaving(false);
    }
  };

  const status = dirty ? t('unsaved') : justSaved ? t('saved') : t('upToDate');

  return (
    <section className="sie">
      <h1>{t('title')}</h1>
      <p>{t('intro')}</p>
      <div className="sie-layout">
        <form className="sie-form stack" onSubmit={save} noValidate>
          <fieldset>
            <legend>{t('signIn')}</legend>
            <p className="sie-hint">{t('signInHint')}</p>
            {form.methods.map((method) => (
              <MethodRow key={method.identifier} t={t} method={method} onChange={updateMethod} />
            ))}
          </fieldset>

          <fieldset>
            <legend>{t('signUp')}</legend>
            <fieldset className="sie-inline">
              <legend>{t('signUpIdentifiers')}</legend>
              {identifiers.map((identifier) => (
                <Check
                  key={identifier}
                  label={t(identifier)}
                  checked={form.signUpIdentifiers.includes(identifier)}
                  onChange={(checked) =>
                    update({
                      signUpIdentifiers: checked
                        ? [...form.signUpIdentifiers, identifier]
                        : form.signUpIdentifiers.filter((id) => id !== identifier),
                    })
                  }
                />
              ))}
            </fieldset>
            {form.signUpIdentifiers.length === 0 ? <p className="sie-hint">{t('socialOnly')}</p> : null}
            <Check
              label={t('signUpPassword')}
              checked={form.signUpIdentifiers.length > 0 && form.signUpPassword}
              disabled={form.signUpIdentifiers.length === 0}
              onChange={(checked) => update({ signUpPassword: checked })}
            />
            <Check
              label={t('signUpVerify')}
              checked={form.signUpIdentifiers.length > 0 && form.signUpVerify}
              disabled={form.signUpIdentifiers.length === 0}
              onChange={(checked) => update({ signUpVerify: checked })}
            />
          </fieldset>

          <fieldset>
            <legend>{t('passwordPolicy')}</legend>
            <TextField
              label={t('minLength')}
              hint={t('minLengthHint')}
              type="number"
              value={form.minLength}
              onChange={(minLength) => update({ minLength })}
            />
            <SelectField
              label={t('characterTypes')}
              hint={t('characterTypesHint')}
              value={String(form.characterTypes)}
              options={['1', '2', '3', '4'].map((value) => ({ value, label: value }))}
              onChange={(value) => update({ characterTypes: Number(value) })}
            />
            {check('rejectPwned')}
            {check('rejectUserInfo')}
          </fieldset>

          <fieldset>
            <legend>{t('social')}</legend>
            <SocialOrder
              connectors={connectors}
              targets={form.socialTargets}
              onChange={(socialTargets) => update({ socialTargets })}
            />
          </fieldset>

          <fieldset>
            <legend>{t('branding')}</legend>
            {urlField('logoUrl')}
            {urlField('darkLogoUrl')}
            {colorField('primaryColor')}
            {check('darkMode')}
            {colorField('darkPrimaryColor')}
          </fieldset>

          <fieldset>
            <legend>{t('languages')}</legend>
            {check('autoDetect')}
            <SelectField
              label={t('fallbackLanguage')}
              value={form.fallbackLanguage}
              options={[
                { value: 'en', label: 'English' },
                { value: 'th', label: 'ไทย' },
              ]}
              onChange={(value) => update({ fallbackLanguage: value === 'th' ? 'th' : 'en' })}
            />
          </fieldset>

          <fieldset>
            <legend>{t('legal')}</legend>
            {urlField('termsOfUseUrl')}
            {urlField('privacyPolicyUrl')}
            <SelectField
              label={t('signInMode')}
              value={form.signInMode}
              options={(['SignInAndRegister', 'SignIn', 'Register'] as const).map((value) => ({
                value,
                label: t(value),
              }))}
              onChange={(value) => update({ signInMode: value as SignInExperienceForm['signInMode'] })}
            />
          </fieldset>

          <div className="sie-actions">
            <p role="status" className={dirty ? 'sie-status sie-dirty' : 'sie-status'}>
              {status}
            </p>
            <ErrorMessage error={saveError} />
            <div className="row">
              <button type="submit" className="primary" disabled={!dirty || saving}>
                {saving ? t('saving') : t('save')}
              </button>
              <button
                type="button"
                disabled={!dirty || saving}
                onClick={() => {
                  setSaveError(undefined);
                  setForm(toForm(saved));
                }}
              >
                {t('discard')}
              </button>
            </div>
          </div>
        </form>
        <SignInPreview api={api} patch={patch} />
      </div>
    </section>
  );
};

const MethodRow = ({
  t,
  method,
  onChange,
}: {
  t: T;
  method: MethodForm;
  onChange: (identifier: Identifier, changes: Partial<MethodForm>) => void;
}) => {
  const name = t(method.identifier);
  return (
    <div className="sie-method">
      <Check
        label={name}
        checked={method.enabled}
        onChange={(enabled) => onChange(method.identifier, { enabled })}
      />
      {method.enabled ? (
        <fieldset className="sie-inline sie-nested">
          <legend>{t('methodOf', { identifier: name })}</legend>
          <Check
            label={t('password')}
            checked={method.password}
            onChange={(password) => onChange(method.identifier, { password })}
          />
          <Check
            label={t('code')}
            checked={method.verificationCode}
            onChange={(verificationCode) => onChange(method.identifier, { verificationCode })}
          />
          {method.password && method.verificationCode ? (
            <SelectField
              label={`${name}: ${t('first')}`}
              value={method.first}
              options={[
                { value: 'password', label: t('firstPassword') },
                { value: 'code', label: t('firstCode') },
              ]}
              onChange={(value) =>
                onChange(method.identifier, { first: value === 'code' ? 'code' : 'password' })
              }
            />
          ) : null}
        </fieldset>
      ) : null}
    </div>
  );
};

const Check = ({
  label,
  checked,
  disabled,
  onChange,
}: {
  label: string;
  checked: boolean;
  disabled?: boolean;
  onChange: (checked: boolean) => void;
}) => (
  <label className="check">
    <input
      type="checkbox"
      checked={checked}
      disabled={disabled}
      onChange={(event) => onChange(event.target.checked)}
    />
    {label}
  </label>
);

const TextField = ({
  label,
  hint,
  type = 'text',
  value,
  onChange,
}: {
  label: string;
  hint?: string;
  type?: string;
  value: string;
  onChange: (value: string) => void;
}) => {
  const id = useId();
  return (
    <Field
      id={id}
      label={label}
      help={hint}
      helpClassName="sie-hint"
      type={type}
      value={value}
      onChange={(event) => onChange(event.target.value)}
    />
  );
};

const SelectField = ({
  label,
  hint,
  value,
  options,
  onChange,
}: {
  label: string;
  hint?: string;
  value: string;
  options: Array<{ value: string; label: string }>;
  onChange: (value: string) => void;
}) => {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onChange={(event) => onChange(event.target.value)}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      {hint ? <Hint id={`${id}-hint`}>{hint}</Hint> : null}
    </div>
  );
};

const Hint = ({ id, children }: { id: string; children: ReactNode }) => (
  <p id={id} className="sie-hint">
    {children}
  </p>
);
