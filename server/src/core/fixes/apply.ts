import { SourceTextImpl } from '../parser/text';
import type { TextEdit } from './edits';

/** Applies non-overlapping edits of one file to its text (last first, so offsets stay valid). */
export function applyEdits(text: string, edits: readonly Pick<TextEdit, 'range' | 'newText'>[]): string {
  const source = new SourceTextImpl(text);
  const resolved = edits
    .map((edit) => ({
      start: source.offsetAt(edit.range.start),
      end: source.offsetAt(edit.range.end),
      text: edit.newText,
    }))
    .sort((a, b) => b.start - a.start || b.end - a.end);
  let result = text;
  for (const edit of resolved) result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
  return result;
}
