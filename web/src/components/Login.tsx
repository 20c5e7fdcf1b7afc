import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api.ts';
import { useI18n } from '../i18n/index.ts';
import { LanguageSwitch } from './LanguageSwitch.tsx';
import { ChatIcon } from './icons.tsx';

export function Login({ onLogin, expired }: { onLogin: () => void; expired: boolean }) {
  const { t } = useI18n();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await api.login(email, password);
      onLogin();
    } catch (err) {
      // A refused login says so; anything else (server down, network) says the server failed.
      setError(err instanceof ApiError && err.status < 500 ? t.loginFailed : t.loginUnavailable);
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
        {expired && !error && (
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
        <LanguageSwitch />
      </form>
    </main>
  );
}
