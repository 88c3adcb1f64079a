import { useState } from 'preact/hooks';
import { usePeople } from '../people/people';
import { shortTime } from '../i18n/format-time';
import { ErrorNotice } from '../components/error-notice';
import { usePageTitle } from '../components/page-title';
import { useFocusOnMount } from '../components/use-focus-on-mount';
import { useI18n } from '../i18n/i18n-context';
import { Link } from '../router/router';
import { useSignedIn } from '../session/session-context';
import { SnippetText } from './snippet-text';
import { useSearch } from './use-search';
import '../styles/search.css';

/** Where a hit opens: its conversation, scrolled to the message (read by the conversation screen). */
export const hitHref = (conversationId: string, seq: number) => `/c/${encodeURIComponent(conversationId)}#seq=${seq}`;

/** /search: words to find, in every conversation or one, optionally only messages with attachments; hits open in context. */
export function SearchScreen() {
  const { t, language } = useI18n();
  const { client } = useSignedIn();
  const people = usePeople();
  usePageTitle(t('search.title'));
  const [text, setText] = useState(() => new URLSearchParams(location.search).get('q') ?? '');
  const [scope, setScope] = useState('');
  const [withAttachments, setWithAttachments] = useState(false);
  const state = useSearch();
  // Loaded by its address too, not only reached in the app: searching is what the screen is for.
  const box = useFocusOnMount<HTMLInputElement>();
  const conversations = client.conversations();
  const submit = (event: Event) => {
    event.preventDefault();
    const query = text.trim();
    if (query === '') return;
    // The address keeps the query, so a reload or a shared link searches again.
    history.replaceState(null, '', `/search?q=${encodeURIComponent(query)}`);
    state.search(query, {
      ...(scope ? { conversationId: scope } : {}),
      ...(withAttachments ? { hasAttachment: true } : {}),
    });
  };
  return (
    <section class="search-screen stack" aria-labelledby="search-title">
      <h1 id="search-title">{t('search.title')}</h1>
      <form class="search-form stack" role="search" onSubmit={submit} aria-busy={state.busy}>
        <label for="search-query">{t('search.label')}</label>
        <input
          ref={box}
          id="search-query"
          data-route-focus
          type="search"
          maxLength={256}
          value={text}
          aria-describedby="search-help"
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <p id="search-help" class="field-help">
          {t('search.help')}
        </p>
        <label for="search-scope">{t('search.scope')}</label>
        <select id="search-scope" value={scope} onChange={(e) => setScope(e.currentTarget.value)}>
          <option value="">{t('search.everywhere')}</option>
          {conversations.map((v) => (
            <option key={v.conversation.id} value={v.conversation.id}>
              {people.title(v.conversation)}
            </option>
          ))}
        </select>
        <label class="checkbox-field">
          <input
            type="checkbox"
            checked={withAttachments}
            onChange={(e) => setWithAttachments(e.currentTarget.checked)}
          />
          {t('search.withAttachments')}
        </label>
        <button type="submit" class="primary" disabled={state.busy}>
          {state.busy ? t('search.searching') : t('search.submit')}
        </button>
      </form>
      <ErrorNotice error={state.error} />
      {state.query !== null && state.hits.length === 0 && !state.busy ? (
        <p role="status">{t('search.none', { query: state.query })}</p>
      ) : null}
      {state.hits.length > 0 ? (
        <ol class="search-results" aria-label={t('search.results')}>
          {state.hits.map(({ message, snippet }) => {
            const view = client.conversation(message.conversationId);
            return (
              <li key={message.id}>
                <Link href={hitHref(message.conversationId, message.seq)}>
                  <span class="search-hit-meta">
                    {t('search.hit', {
                      sender: people.sender(message.senderId),
                      conversation: view ? people.title(view.conversation) : '',
                      time: shortTime(message.createdAt, language),
                    })}
                  </span>
                  <SnippetText snippet={snippet} />
                </Link>
              </li>
            );
          })}
        </ol>
      ) : null}
      {state.nextCursor ? (
        <button type="button" onClick={state.more} disabled={state.busy}>
          {t('search.more')}
        </button>
      ) : null}
    </section>
  );
}
