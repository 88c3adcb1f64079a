import { I18nProvider, useI18n } from './i18n/i18n-context';
import { Redirect } from './router/redirect';
import { useRoute } from './router/router';
import { LoginScreen } from './screens/login-screen';
import { RegisterScreen } from './screens/register-screen';
import { SessionProvider, useSession } from './session/session-context';
import { AppFrame } from './shell/app-frame';
import { AdminFrame } from './admin/admin-frame';

export function App() {
  return (
    <I18nProvider>
      <SessionProvider>
        <Screens />
      </SessionProvider>
    </I18nProvider>
  );
}

/** Signed out: only /login and /register (anything else goes to /login). Signed in: the app frame. */
function Screens() {
  const { state } = useSession();
  const { t } = useI18n();
  const route = useRoute();
  if (state.status === 'signing-out') {
    return (
      <p class="signing-out" role="status">
        {t('header.loggingOut')}
      </p>
    );
  }
  if (state.status === 'signed-out') {
    if (route.name === 'register') return <RegisterScreen />;
    if (route.name === 'login') return <LoginScreen reason={state.reason} />;
    // The operator's console needs the admin token, not a person signed in.
    if (route.name === 'admin') return <AdminFrame />;
    return <Redirect to="/login" />;
  }
  if (route.name === 'login' || route.name === 'register') return <Redirect to="/" />;
  return <AppFrame route={route} />;
}
