import { useEffect, useState } from 'preact/hooks';
import { ErrorNotice } from '../components/error-notice';
import { usePageTitle } from '../components/page-title';
import { useI18n } from '../i18n/i18n-context';
import { Link, navigate } from '../router/router';
import { useSignedIn } from '../session/session-context';
import { actionErrorText } from '../i18n/action-error-text';
import { openBusinessConversation } from './business-links';

/**
 * `/b/<businessId>[?ref=…]`: a business's link (a website, a QR code, an order e-mail). Opens the
 * customer's one conversation with that business (`source: link`, the `ref` passed on), remembers
 * it as a business conversation (its menu), and goes there.
 */
export function BusinessStartScreen({ businessId }: { businessId: string }) {
  const { t } = useI18n();
  const { client, user } = useSignedIn();
  const [error, setError] = useState<unknown>(null);
  usePageTitle(t('structured.business.opening'));
  useEffect(() => {
    const ref = new URLSearchParams(location.search).get('ref') ?? undefined;
    let live = true;
    openBusinessConversation(client, user.id, businessId, {
      source: 'link',
      ...(ref ? { ref: ref.slice(0, 200) } : {}),
    }).then(
      (thread) => live && navigate(`/c/${encodeURIComponent(thread.conversationId)}`, { replace: true }),
      (failure: unknown) => live && setError(failure),
    );
    return () => {
      live = false;
    };
  }, [client, user.id, businessId]);
  return (
    <section class="placeholder-screen">
      <h1>{t('structured.business.opening')}</h1>
      {error === null ? (
        <p role="status">{t('app.loading')}</p>
      ) : (
        <>
          <ErrorNotice error={error} describe={actionErrorText} />
          <Link href="/">{t('notFound.home')}</Link>
        </>
      )}
    </section>
  );
}
