import { type FormEvent, useState } from 'react';
import { ApiFailure, createFirstAdmin } from '../api.ts';
import { ErrorMessage } from '../components.tsx';

/** First run only: creates the first administrator; the server closes this for good once one exists. */
export const FirstAdmin = ({ onCreated }: { onCreated: () => void }) => {
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
      setError(new ApiFailure(400, 'console.passwords_differ', 'The two passwords differ.'));
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
        <h1>Administrator created</h1>
        <p>
          <strong>{username}</strong> can now sign in to the console.
        </p>
        <button type="button" className="primary" onClick={onCreated}>
          Continue to sign-in
        </button>
      </main>
    );
  }

  return (
    <main className="centered">
      <h1>Create the first administrator</h1>
      <p>
        Nobody administers this Gatehouse yet. The account you create here holds the console administrator
        role. This page disappears once it exists.
      </p>
      <form onSubmit={submit} className="stack">
        <div className="field">
          <label htmlFor="first-admin-username">Username</label>
          <input
            id="first-admin-username"
            autoComplete="username"
            required
            value={username}
            onChange={(event) => setUsername(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="first-admin-password">Password</label>
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
          <label htmlFor="first-admin-confirm">Confirm password</label>
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
          Create administrator
        </button>
      </form>
    </main>
  );
};
