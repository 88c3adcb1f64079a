import { ButtonRow, QuickReplies, TapFeedback } from './action-buttons';
import { actionsOf, isRecord, textOf, type Action, type MessageViewProps } from './body-fields';
import { Unsupported } from './unsupported';
import { usePostback } from './use-postback';

interface Group {
  heading?: string;
  actions: Action[];
}

/**
 * A plugin's own type this client has no view for. Its buttons still work: the tappable ids are
 * those of any `buttons` or `quickReplies` array at any depth (protocol.md), so they are gathered
 * with the title or text of the object holding them. Without any, it is an unsupported message.
 */
export function PluginMessage({ body, message, conversationId }: MessageViewProps) {
  const taps = usePostback(conversationId, message.id);
  const groups: Group[] = [];
  const quickReplies: Action[] = [];
  collect(body, groups, quickReplies, 0);
  const text = textOf(body, 'text');
  if (groups.length === 0 && quickReplies.length === 0) return text ? <p class="card-text">{text}</p> : <Unsupported />;
  return (
    <div class="card">
      {text ? <p class="card-text">{text}</p> : <Unsupported />}
      {groups.map((group, i) => (
        <div key={i} class="card-group">
          {group.heading && group.heading !== text ? <p class="card-heading">{group.heading}</p> : null}
          <ButtonRow actions={group.actions} taps={taps} />
        </div>
      ))}
      <QuickReplies actions={quickReplies} taps={taps} />
      <TapFeedback taps={taps} />
    </div>
  );
}

/** Bodies are small (the host caps them); the depth bound only guards against a pathological one. */
const MAX_DEPTH = 8;

function collect(value: unknown, groups: Group[], quickReplies: Action[], depth: number): void {
  if (depth > MAX_DEPTH) return;
  if (Array.isArray(value)) {
    for (const item of value) collect(item, groups, quickReplies, depth + 1);
    return;
  }
  if (!isRecord(value)) return;
  const actions = actionsOf(value, 'buttons');
  if (actions.length > 0) groups.push({ heading: textOf(value, 'title') ?? textOf(value, 'text'), actions });
  quickReplies.push(...actionsOf(value, 'quickReplies'));
  for (const [key, child] of Object.entries(value)) {
    if (key !== 'buttons' && key !== 'quickReplies') collect(child, groups, quickReplies, depth + 1);
  }
}
