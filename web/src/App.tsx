/**
 * The app shell: the UI language, the router (every page has an address: web/src/routes.ts),
 * the server-state cache (TanStack Query: web/src/queries/), and the login page, the
 * password reset or the signed-in app depending on the address and the session.
 */
import { useEffect, useMemo, useState } from 'react';
import { BrowserRouter, Navigate, useLocation, useNavigate } from 'react-router';
import { QueryClientProvider } from '@tanstack/react-query';
import { getSession, onSessionExpired } from './api/client.ts';
import {
  I18nContext,
  initialLanguage,
  languages,
  saveLanguage,
  useI18n,
  type Language,
} from './i18n/index.ts';
import { Login } from './components/Login.tsx';
import { Inbox } from './components/Inbox.tsx';
import { ResetPassword } from './components/ResetPassword.tsx';
import { entryRedirect, paths, placeOf } from './routes.ts';
import { queryClient } from './queries/client.ts';

export function App() {
  const [lang, setLangState] = useState<Language>(initialLanguage);

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = languages[lang].appName;
  }, [lang]);

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
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <Shell />
        </BrowserRouter>
      </QueryClientProvider>
    </I18nContext.Provider>
  );
}

function Shell() {
  const { t } = useI18n();
  const location = useLocation();
  const navigate = useNavigate();
  const [loggedIn, setLoggedIn] = useState(() => Boolean(getSession()));
  const [expired, setExpired] = useState(false);
  const [notice, setNotice] = useState<string>();

  useEffect(
    () =>
      onSessionExpired(() => {
        // Nothing of this session's data stays cached for whoever signs in next.
        queryClient.clear();
        setExpired(true);
        setLoggedIn(false);
      }),
    [],
  );

  // A password-reset link (/redefinir-senha?token=…) wins over a session.
  const resetToken =
    location.pathname === paths.resetPassword
      ? (new URLSearchParams(location.search).get('token') ?? undefined)
      : undefined;
  if (resetToken)
    return (
      <ResetPassword
        token={resetToken}
        onDone={() => {
          navigate('/', { replace: true });
          setNotice(t.resetDone);
          setLoggedIn(false);
        }}
      />
    );

  // The login page answers at any address: after signing in, the app opens that place.
  if (!loggedIn)
    return (
      <Login
        expired={expired}
        notice={notice}
        onLogin={() => {
          queryClient.clear();
          setExpired(false);
          setLoggedIn(true);
        }}
      />
    );

  const entry = entryRedirect(location.search);
  if (entry) return <Navigate to={entry} replace />;
  if (!placeOf(location.pathname))
    return <Navigate to={{ pathname: paths.inbox, search: location.search }} replace />;
  return (
    <Inbox
      onLogout={() => {
        queryClient.clear();
        setLoggedIn(false);
        navigate('/', { replace: true });
      }}
    />
  );
}
