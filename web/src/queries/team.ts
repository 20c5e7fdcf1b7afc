/** The team's users (the inbox's names and the team page read the same entry). */
import { useQuery } from '@tanstack/react-query';
import { teamApi } from '../api/team.ts';
import { queryKeys } from './client.ts';

export const useUsers = () =>
  useQuery({ queryKey: queryKeys.users, queryFn: () => teamApi.users().then((r) => r.items) });
