import { useEffect, useState } from 'preact/hooks';
import { usePeople } from '../people/people';
import { shortTime } from '../i18n/format-time';
import { ErrorNotice } from '../components/error-notice';
import { usePageTitle } from '../components/page-title';
import { useFocusOnMount } from '../components/use-focus-on-mount';
import { useI18n } from '../i18n/i18n-context';
import { Link } from '../router/router';
import { useConversationList } from '../session/client-hooks';
import { useSignedIn } from '../session/session-context';
import { hitHref, searchHref, searchInAddress, type SearchAddress } from './search-address';
import { SnippetText } from './snippet-text';
import { useSearch } from './use-search';
import '../styles/search.css';

/** /search: words to find, in every conversation or one, optionally only messages with attachments; hits open in context. */
export function SearchScreen() {
  const { t, language } = useI18n();
  const { client } = useSignedIn();
  const people = usePeople();
  usePageTitle(t('search.title'));
  const [initial] = useState(searchInAddress);
  const [text, setText] = useState(initial.query);
  const [scope, setScope] = useState(initial.conversationId);
  const [withAttachments, setWithAttachments] = useState(initial.withAttachments);
  const state = useSearch();
  // Loaded by its address too, not only reached in the app: searching is what the screen is for.
  const box = useFocusOnMount<HTMLInputElement>();
  // Live: a result found before the conversation list has loaded is named once it has.
  const conversations = useConversationList();
  const run = ({ query, conversationId, withAttachments }: SearchAddress) => {
    if (query.trim() === '') return state.reset();
    state.search(query.trim(), {
      ...(conversationId ? { conversationId } : {}),
      ...(withAttachments ? { hasAttachment: true } : {}),
    });
  };
  // A search in the address (a reload, Back from a result, a link) is run as when it was asked; so is
  // the one Back or Forward moves to from another search (the screen stays: only the query changed).
  useEffect(() => {
    if (initial.query.trim() !== '') run(initial);
    const moved = () => {
      if (location.pathname !== '/search') return;
      const address = searchInAddress();
      setText(address.query);
      setScope(address.conversationId);
      setWithAttachments(address.withAttachments);
      run(address);
    };
    window.addEventListener('popstate', moved);
    return () => window.removeEventListener('popstate', moved);
  }, []);
  const submit = (event: Event) => {
    event.preventDefault();
    const address = { query: text.trim(), conversationId: scope, withAttachments };
    if (address.query === '') return;
    // The address keeps the search, so a reload or a shared link searches again; each search is a
    // step Back returns to (the first takes the place of the empty screen's).
    const href = searchHref(address);
    if (href !== `${location.pathname}${location.search}`) {
      if (searchInAddress().query === '') history.replaceState(null, '', href);
      else history.pushState(null, '', href);
    }
    run(address);
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
                <Link href={hitHref(message)}>
                  <span class="search-hit-meta">
                    {t(message.threadRootId ? 'search.hitInThread' : 'search.hit', {
                      sender: people.sender(message.senderId),
                      conversation: view ? people.title(view.conversation) : t('search.someConversation'),
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
