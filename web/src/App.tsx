/** The app shell: the UI language, and the login page or the inbox depending on the session. */
import { useEffect, useMemo, useState } from 'react';
import { getSession, onSessionExpired } from './api.ts';
import { I18nContext, initialLanguage, languages, saveLanguage, type Language } from './i18n/index.ts';
import { Login } from './components/Login.tsx';
import { Inbox } from './components/Inbox.tsx';
import { ResetPassword } from './components/ResetPassword.tsx';

/** The token of a password-reset link (/redefinir-senha?token=…), if this is one. */
const resetToken = () =>
  location.pathname === '/redefinir-senha'
    ? (new URLSearchParams(location.search).get('token') ?? undefined)
    : undefined;

export function App() {
  const [lang, setLangState] = useState<Language>(initialLanguage);
  const [loggedIn, setLoggedIn] = useState(() => Boolean(getSession()));
  const [expired, setExpired] = useState(false);
  const [reset, setReset] = useState(resetToken);
  const [notice, setNotice] = useState<string>();

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = languages[lang].appName;
  }, [lang]);

  useEffect(
    () =>
      onSessionExpired(() => {
        setExpired(true);
        setLoggedIn(false);
      }),
    [],
  );

  const i18n = useMemo(
    () => ({
      t: languages[lang],
      lang,
      setLang: (l: Language) => {
        saveLanguage(l);
        setLangState(l);
      },
    }),
    [lang],
  );

  return (
    <I18nContext.Provider value={i18n}>
      {reset ? (
        <ResetPassword
          token={reset}
          onDone={() => {
            history.replaceState(null, '', '/');
            setReset(undefined);
            setNotice(languages[lang].resetDone);
            setLoggedIn(false);
          }}
        />
      ) : loggedIn ? (
        <Inbox onLogout={() => setLoggedIn(false)} />
      ) : (
        <Login
          expired={expired}
          notice={notice}
          onLogin={() => {
            setExpired(false);
            setLoggedIn(true);
          }}
        />
      )}
    </I18nContext.Provider>
  );
}
