/**
 * /redefinir-senha?token=… : the page of a one-time link an admin generated ("Esqueci a
 * senha"). The agent chooses a new password; the server ends every session of theirs.
 */
import { useState, type FormEvent } from 'react';
import { authApi } from '../api/auth.ts';
import { ApiError } from '../api/client.ts';
import { useI18n } from '../i18n/index.ts';
import { LanguageSwitch } from './LanguageSwitch.tsx';
import { ChatIcon } from './icons.tsx';

export function ResetPassword({ token, onDone }: { token: string; onDone: () => void }) {
  const { t } = useI18n();
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (password.length < 8) return setError(t.passwordTooShort);
    if (password !== confirm) return setError(t.passwordsDiffer);
    setBusy(true);
    setError('');
    try {
      await authApi.resetPassword(token, password);
      onDone();
    } catch (err) {
      setError(err instanceof ApiError && err.status < 500 ? t.resetInvalid : t.loginUnavailable);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login">
      <form onSubmit={submit} data-testid="reset-form" className="card">
        <div className="brand">
          <span className="logo" aria-hidden="true">
            <ChatIcon size={36} />
          </span>
          <div>
            <h1>{t.resetTitle}</h1>
          </div>
        </div>
        <label>
          {t.newPassword}
          <input
            data-testid="reset-password"
            type="password"
            autoComplete="new-password"
            minLength={8}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
            autoFocus
          />
        </label>
        <label>
          {t.confirmPassword}
          <input
            data-testid="reset-confirm"
            type="password"
            autoComplete="new-password"
            value={confirm}
            onChange={(e) => setConfirm(e.target.value)}
            required
          />
        </label>
        {error && (
          <p className="error" role="alert" data-testid="reset-error">
            {error}
          </p>
        )}
        <button className="primary" data-testid="reset-submit" disabled={busy}>
          {t.resetSubmit}
        </button>
        <a href="/" data-testid="back-to-login">
          {t.backToLogin}
        </a>
        <LanguageSwitch />
      </form>
    </main>
  );
}
