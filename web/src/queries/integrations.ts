/** Departments, numbers, the assistants list and the account's settings: shared by the inbox and the admin pages. */
import { useQuery } from '@tanstack/react-query';
import { integrationsApi } from '../api/integrations.ts';
import { queryKeys } from './client.ts';

export const useDepartments = () =>
  useQuery({
    queryKey: queryKeys.departments,
    queryFn: () => integrationsApi.departments().then((r) => r.items),
  });
export const useNumbers = () =>
  useQuery({ queryKey: queryKeys.numbers, queryFn: () => integrationsApi.numbers().then((r) => r.items) });
export const useSettings = () =>
  useQuery({ queryKey: queryKeys.settings, queryFn: () => integrationsApi.settings() });
export const useAssistants = () =>
  useQuery({
    queryKey: queryKeys.assistants,
    queryFn: () => integrationsApi.assistants().then((r) => r.items),
  });
