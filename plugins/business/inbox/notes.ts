import type { PluginContext } from '../../../sdk/index.js';
import { BusinessError } from '../business-error.js';
import type { ThreadRow } from './threads.js';

interface NoteRow {
  id: number;
  thread_id: string;
  author_id: string;
  text: string;
  created_at: number;
  [c: string]: unknown;
}

/** Private notes: stored apart from the conversation, listed to the business's agents only. */
export async function addNote(ctx: PluginContext, thread: ThreadRow, authorId: string, text: unknown) {
  if (typeof text !== 'string' || text.length === 0 || text.length > 4000)
    throw new BusinessError('invalid_business_request', 'text is 1 to 4000 characters.');
  const [row] = await ctx.database
    .table<NoteRow>('notes')
    .insert({ thread_id: thread.id, author_id: authorId, text, created_at: Date.now() } as NoteRow);
  return noteView(row!);
}

export async function notes(ctx: PluginContext, thread: ThreadRow) {
  return (await ctx.database.table<NoteRow>('notes').where({ thread_id: thread.id }).orderBy('id').all()).map(noteView);
}

const noteView = (n: NoteRow) => ({
  noteId: n.id,
  authorId: n.author_id,
  text: n.text,
  createdAt: new Date(n.created_at).toISOString(),
});
