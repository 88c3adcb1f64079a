import { I18nProvider, useI18n } from './i18n/i18n-context';
import { errorText } from './i18n/error-text';
import { Redirect } from './router/redirect';
import { useRoute } from './router/router';
import { LoginScreen } from './screens/login-screen';
import { RegisterScreen } from './screens/register-screen';
import { SessionProvider, useSession } from './session/session-context';
import { AppFrame } from './shell/app-frame';
import { AuthLayout } from './screens/auth-layout';
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
  const route = useRoute();
  if (state.status === 'restoring') return <Restoring />;
  if (state.status === 'restore-failed') return <RestoreFailed error={state.error} />;
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

function Restoring() {
  const { t } = useI18n();
  return (
    <AuthLayout title={t('app.loading')} heading={t('app.name')}>
      <p role="status">{t('app.loading')}</p>
    </AuthLayout>
  );
}

function RestoreFailed({ error }: { error: unknown }) {
  const { t } = useI18n();
  const { retryRestore, forget } = useSession();
  return (
    <AuthLayout title={t('app.restoreFailed')} heading={t('app.restoreFailed')}>
      <p role="alert">{errorText(t, error)}</p>
      <div class="button-row">
        <button type="button" class="primary" onClick={retryRestore}>
          {t('app.retry')}
        </button>
        <button type="button" onClick={forget}>
          {t('app.signOutInstead')}
        </button>
      </div>
    </AuthLayout>
  );
}
