import { type FormEvent, useState } from 'react';
import { ApiFailure, createFirstAdmin } from '../api.ts';
import { ErrorMessage } from '../components.tsx';
import { definePhrases, useT } from '../i18n.ts';

const phrases = definePhrases({
  en: {
    passwordsDiffer: 'The two passwords differ.',
    created: 'Administrator created',
    canSignIn: 'can now sign in to the console.',
    continue: 'Continue to sign-in',
    title: 'Create the first administrator',
    intro:
      'Nobody administers this Gatehouse yet. The account you create here holds the console administrator role. This page disappears once it exists.',
    username: 'Username',
    password: 'Password',
    confirm: 'Confirm password',
    create: 'Create administrator',
  },
  th: {
    passwordsDiffer: 'รหัสผ่านทั้งสองช่องไม่ตรงกัน',
    created: 'สร้างผู้ดูแลระบบแล้ว',
    canSignIn: 'ลงชื่อเข้าใช้คอนโซลได้แล้ว',
    continue: 'ไปที่การลงชื่อเข้าใช้',
    title: 'สร้างผู้ดูแลระบบคนแรก',
    intro: 'Gatehouse นี้ยังไม่มีผู้ดูแลระบบ บัญชีที่คุณสร้างที่นี่จะได้รับบทบาทผู้ดูแลคอนโซล หน้านี้จะหายไปเมื่อสร้างบัญชีแล้ว',
    username: 'ชื่อผู้ใช้',
    password: 'รหัสผ่าน',
    confirm: 'ยืนยันรหัสผ่าน',
    create: 'สร้างผู้ดูแลระบบ',
  },
});

/** First run only: creates the first administrator; the server closes this for good once one exists. */
export const FirstAdmin = ({ onCreated }: { onCreated: () => void }) => {
  const t = useT(phrases);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    if (password !== confirm) {
      setError(new ApiFailure(400, 'console.passwords_differ', t('passwordsDiffer')));
      return;
    }
    setBusy(true);
    try {
      await createFirstAdmin(username, password);
      setCreated(true);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  if (created) {
    return (
      <main className="centered">
        <h1>{t('created')}</h1>
        <p>
          <strong>{username}</strong> {t('canSignIn')}
        </p>
        <button type="button" className="primary" onClick={onCreated}>
          {t('continue')}
        </button>
      </main>
    );
  }

  return (
    <main className="centered">
      <h1>{t('title')}</h1>
      <p>{t('intro')}</p>
      <form onSubmit={submit} className="stack">
        <div className="field">
          <label htmlFor="first-admin-username">{t('username')}</label>
          <input
            id="first-admin-username"
            autoComplete="username"
            required
            value={username}
            onChange={(event) => setUsername(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="first-admin-password">{t('password')}</label>
          <input
            id="first-admin-password"
            type="password"
            autoComplete="new-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="first-admin-confirm">{t('confirm')}</label>
          <input
            id="first-admin-confirm"
            type="password"
            autoComplete="new-password"
            required
            value={confirm}
            onChange={(event) => setConfirm(event.target.value)}
          />
        </div>
        <ErrorMessage error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {t('create')}
        </button>
      </form>
    </main>
  );
};
