/** Message templates (MSG-5): the picker's and the templates page's lists, and their changes. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { templatesApi } from '../api/templates.ts';
import type { CreateTemplateBody, Template } from '../api-types.ts';

export const templateKeys = {
  all: ['templates'] as const,
  /** One number's approved templates (the picker) or every template (the page). */
  list: (opts: { numberId?: string; status?: Template['status'] }) =>
    ['templates', opts.numberId ?? '', opts.status ?? ''] as const,
};

/** How often the templates page asks again while a template waits for Meta's review. */
export const PENDING_POLL_MS = 2000;

/** The approved templates of one number (what a chat on that number may send). */
export const useApprovedTemplates = (numberId: string | undefined) =>
  useQuery({
    queryKey: templateKeys.list({ numberId, status: 'APPROVED' }),
    queryFn: () => templatesApi.list({ numberId, status: 'APPROVED' }).then((r) => r.items),
    enabled: Boolean(numberId),
  });

/**
 * Every template of the account (the templates page). The approval webhook does not reach
 * the socket: while any is pending the list is asked again every few seconds.
 */
export const useAllTemplates = () =>
  useQuery({
    queryKey: templateKeys.list({}),
    queryFn: () => templatesApi.list().then((r) => r.items),
    refetchInterval: (q) =>
      q.state.data?.some((t) => t.status === 'PENDING' || t.status === 'IN_APPEAL') ? PENDING_POLL_MS : false,
  });

/** Create and sync ask every template list again. */
export function useTemplateMutations() {
  const client = useQueryClient();
  const done = () => void client.invalidateQueries({ queryKey: templateKeys.all });
  return {
    create: useMutation({ mutationFn: (b: CreateTemplateBody) => templatesApi.create(b), onSuccess: done }),
    sync: useMutation({ mutationFn: (numberId?: string) => templatesApi.sync(numberId), onSuccess: done }),
  };
}
