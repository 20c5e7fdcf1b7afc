import { useState, type FormEvent } from 'react';
import { authApi } from '../api/auth.ts';
import { ApiError } from '../api/client.ts';
import { useI18n } from '../i18n/index.ts';
import { LanguageSwitch } from './LanguageSwitch.tsx';
import { ChatIcon } from './icons.tsx';

/** What a refused login says: throttled and deactivated have their own words. */
function loginError(t: ReturnType<typeof useI18n>['t'], err: unknown): string {
  if (!(err instanceof ApiError) || err.status >= 500) return t.loginUnavailable;
  if (err.code === 'TOO_MANY_ATTEMPTS') return t.loginTooMany(Math.ceil((err.retryAfterSeconds ?? 900) / 60));
  if (err.code === 'USER_DEACTIVATED') return t.loginDeactivated;
  return t.loginFailed;
}

export function Login({
  onLogin,
  expired,
  notice,
}: {
  onLogin: () => void;
  expired: boolean;
  /** Shown above the form (e.g. after a password reset). */
  notice?: string;
}) {
  const { t } = useI18n();
  const [forgot, setForgot] = useState(false);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await authApi.login(email, password);
      onLogin();
    } catch (err) {
      // A refused login says so; anything else (server down, network) says the server failed.
      setError(loginError(t, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login">
      <form onSubmit={submit} data-testid="login-form" className="card">
        <div className="brand">
          <span className="logo" aria-hidden="true">
            <ChatIcon size={36} />
          </span>
          <div>
            <h1>{t.loginTitle}</h1>
            <p className="muted">{t.loginSubtitle}</p>
          </div>
        </div>
        {notice && !error && (
          <p className="info" data-testid="login-notice">
            {notice}
          </p>
        )}
        {expired && !error && !notice && (
          <p className="info" data-testid="session-expired">
            {t.sessionExpired}
          </p>
        )}
        <label>
          {t.email}
          <input
            data-testid="email"
            type="email"
            autoComplete="username"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
            autoFocus
          />
        </label>
        <label>
          {t.password}
          <input
            data-testid="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button className="primary" data-testid="sign-in" disabled={busy}>
          {busy ? t.signingIn : t.signIn}
        </button>
        <button
          type="button"
          className="link"
          data-testid="forgot-password"
          onClick={() => setForgot(!forgot)}
        >
          {t.forgotPassword}
        </button>
        {forgot && (
          <p className="info" data-testid="forgot-password-help">
            {t.forgotPasswordHelp}
          </p>
        )}
        <LanguageSwitch />
      </form>
    </main>
  );
}
