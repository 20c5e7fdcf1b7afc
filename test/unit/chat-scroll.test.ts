import { describe, expect, test } from 'vitest';
import { scrollAction, type ScrollState } from '../../web/src/chat-scroll.ts';

const state = (s: Partial<ScrollState>): ScrollState => ({
  olderAdded: false,
  newOwnLast: false,
  nearBottom: false,
  pinned: false,
  ...s,
});

describe('where the chat view goes', () => {
  test('reading at the bottom: it follows new messages; a new one of ours always brings it down', () => {
    expect(scrollAction(state({ nearBottom: true }))).toBe('bottom');
    expect(scrollAction(state({ newOwnLast: true }))).toBe('bottom');
    expect(scrollAction(state({}))).toBe('none');
  });

  test('older messages added above keep what is shown in place', () => {
    expect(scrollAction(state({ olderAdded: true, nearBottom: true }))).toBe('keep');
    expect(scrollAction(state({ olderAdded: true, newOwnLast: true }))).toBe('keep');
  });

  test('a jumped-to message stays in view through the older pages merged with it and later refreshes', () => {
    // The jump's own render: its page was merged above (the height adjustment alone would
    // leave the view where the agent was, at the bottom).
    expect(scrollAction(state({ olderAdded: true, nearBottom: true, pinned: true }))).toBe('target');
    // A refresh while the view is still taken for "at the bottom" (a late scroll event).
    expect(scrollAction(state({ nearBottom: true, pinned: true }))).toBe('target');
    expect(scrollAction(state({ pinned: true }))).toBe('target');
  });

  test('a new message of ours ends the pin: the view goes down to it', () => {
    expect(scrollAction(state({ newOwnLast: true, pinned: true }))).toBe('bottom');
  });
});
