import { usePeople } from '../people/people';
import { pluralKey } from '../i18n/plural';
import { ErrorNotice } from '../components/error-notice';
import { useI18n } from '../i18n/i18n-context';
import type { Loaded } from '../components/use-load';
import type { CsatReport } from './agent-api';
import { agentErrorText } from './agent-error-text';

/** The business's satisfaction answers (GET csat, read by the inbox again when a customer rates). */
export function CsatPanel({ report }: { report: Loaded<CsatReport> }) {
  const { t, language } = useI18n();
  const people = usePeople();
  const r = report.data;
  return (
    <section class="agent-csat" aria-labelledby="agent-csat-title">
      <h3 id="agent-csat-title">{t('agent.csat.title')}</h3>
      <ErrorNotice error={report.error} describe={agentErrorText} />
      {!r ? null : r.responses === 0 ? (
        <p class="agent-empty">{t('agent.csat.none')}</p>
      ) : (
        <>
          <p>
            {t(pluralKey(language, r.responses, 'agent.csat.summaryOne', 'agent.csat.summary'), {
              count: r.responses,
              average: (r.average ?? 0).toFixed(2),
            })}
          </p>
          <dl class="agent-csat-distribution">
            {['5', '4', '3', '2', '1'].map((stars) => (
              <div key={stars}>
                <dt>{t('agent.csat.stars', { stars })}</dt>
                <dd>{r.distribution[stars] ?? 0}</dd>
              </div>
            ))}
          </dl>
          <ul class="agent-plain-list">
            {r.agents.map((a) => (
              <li key={a.agentId}>
                {t(pluralKey(language, a.responses, 'agent.csat.agentOne', 'agent.csat.agent'), {
                  name: people.name(a.agentId),
                  count: a.responses,
                  average: a.average.toFixed(2),
                })}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
