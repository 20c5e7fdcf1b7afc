/** Who is signed in (GET /api/me). */
import { useQuery } from '@tanstack/react-query';
import { authApi } from '../api/auth.ts';
import { queryKeys } from './client.ts';

export const useMe = () => useQuery({ queryKey: queryKeys.me, queryFn: () => authApi.me() });
