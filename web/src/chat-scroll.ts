/**
 * Where the open chat's view goes after its messages or its search jump change (pure; Chat
 * applies it in a layout effect, before the browser paints or fires a scroll event).
 *
 * A search jump pins its message: until the agent scrolls by themselves (wheel, touch, keys,
 * the scrollbar) or sends, every later change — older pages merged above, a catch-up's
 * refresh, a late layout — centres it again, instead of the view being moved by rules meant
 * for reading at the bottom. Before, the jump scrolled once, in a passive effect after the
 * paint, and anything later (a scroll event of the height adjustment, a refresh while the
 * view was taken for "at the bottom") could leave the message out of sight.
 */
export type ScrollAction = 'target' | 'keep' | 'bottom' | 'none';

export interface ScrollState {
  /** Older messages were added above what was shown (the first id changed). */
  olderAdded: boolean;
  /** The last message is a new one of ours (sent from here or by another agent, a note). */
  newOwnLast: boolean;
  /** The view was at the bottom before this change. */
  nearBottom: boolean;
  /** A jump's message is pinned and rendered. */
  pinned: boolean;
}

export function scrollAction(s: ScrollState): ScrollAction {
  if (s.newOwnLast && !s.olderAdded) return 'bottom';
  if (s.pinned) return 'target';
  if (s.olderAdded) return 'keep';
  if (s.nearBottom || s.newOwnLast) return 'bottom';
  return 'none';
}
