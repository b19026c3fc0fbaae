/**
 * The API token, kept in localStorage so a reload stays signed in. A 401 anywhere signs
 * out and carries the server's message to the sign-in form.
 */
const KEY = 'physwatch.token';

export interface Session {
  token: string | null;
  /** Why the last session ended (the 401 message), shown on the sign-in form. */
  notice: string | null;
}

let session: Session = { token: readToken(), notice: null };
const listeners = new Set<() => void>();

function readToken(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

function set(next: Session): void {
  session = next;
  for (const listener of listeners) listener();
}

export function currentSession(): Session {
  return session;
}

export function subscribeSession(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function signIn(token: string): void {
  localStorage.setItem(KEY, token);
  set({ token, notice: null });
}

export function signOut(notice: string | null = null): void {
  localStorage.removeItem(KEY);
  set({ token: null, notice });
}
