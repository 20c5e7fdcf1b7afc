/** Quick replies (MSG-7): the composer's list and the management page's, and their changes. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { quickRepliesApi, type QuickReplyBody, type QuickReplyUpdate } from '../api/quick-replies.ts';

export const quickReplyKeys = {
  all: ['quick-replies'] as const,
  /** The ones the user may use (the composer's `/` list). */
  usable: ['quick-replies', 'usable'] as const,
  /** The ones the user may see (the management page). */
  visible: ['quick-replies', 'visible'] as const,
};

export const useUsableQuickReplies = (enabled = true) =>
  useQuery({
    queryKey: quickReplyKeys.usable,
    queryFn: () => quickRepliesApi.list({ usable: true }).then((r) => r.items),
    // Asked again each time the list opens (the cached copy shows meanwhile): an approval
    // elsewhere is offered at once.
    enabled,
  });

export const useVisibleQuickReplies = () =>
  useQuery({
    queryKey: quickReplyKeys.visible,
    queryFn: () => quickRepliesApi.list().then((r) => r.items),
  });

/** Every change asks both lists again. */
export function useQuickReplyMutations() {
  const client = useQueryClient();
  const done = () => void client.invalidateQueries({ queryKey: quickReplyKeys.all });
  return {
    create: useMutation({ mutationFn: (b: QuickReplyBody) => quickRepliesApi.create(b), onSuccess: done }),
    update: useMutation({
      mutationFn: ({ id, body }: { id: string; body: QuickReplyUpdate }) => quickRepliesApi.update(id, body),
      onSuccess: done,
    }),
    remove: useMutation({ mutationFn: (id: string) => quickRepliesApi.remove(id), onSuccess: done }),
    approve: useMutation({ mutationFn: (id: string) => quickRepliesApi.approve(id), onSuccess: done }),
    reject: useMutation({
      mutationFn: ({ id, reason }: { id: string; reason?: string }) => quickRepliesApi.reject(id, reason),
      onSuccess: done,
    }),
  };
}
