import { FormEvent, useState } from 'react';
import { apiError } from './api/client';
import { signIn } from './api/session';

/** Asks for an API token and checks it with one read before keeping it. */
export function SignIn({ notice }: { notice: string | null }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await fetch('/api/v1/watches?state=active', { headers: { authorization: `Bearer ${token.trim()}` } });
      // A 403 still proves the token is known: a viewer-less role may read other pages.
      if (res.ok || res.status === 403) signIn(token.trim());
      else setError((await apiError(res)).message);
    } catch (err) {
      setError(`the orchestrator did not answer (${(err as Error).message})`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <form onSubmit={submit} aria-label="sign in">
        <h1>physwatch</h1>
        <p>Sign in with an API token (viewer, operator or admin).</p>
        {notice && (
          <p className="notice" role="alert" data-testid="signed-out-notice">
            Signed out: {notice}
          </p>
        )}
        <label>
          Token
          <input name="token" type="password" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} required autoFocus />
        </label>
        {error && (
          <p className="error" role="alert" data-testid="sign-in-error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy || token.trim() === ''}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
