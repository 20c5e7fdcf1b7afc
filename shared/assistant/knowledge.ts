/**
 * Knowledge-base search for the assistant (AI-4). Knowledge bases are stored and indexed
 * by the knowledge-base work (upload, chunking, the Portuguese lexical index); until an
 * account has one, there is nothing to find and the assistant hands over instead.
 */
import type { EngineDeps } from '#shared/engine/deps.ts';
import type { KnowledgePassage } from './tools.ts';

export async function searchKnowledge(
  _deps: Pick<EngineDeps, 'ddb' | 'tableName' | 's3' | 'mediaBucket'>,
  _accountId: string,
  knowledgeBaseIds: string[],
  _query: string,
  _k: number,
): Promise<KnowledgePassage[]> {
  if (!knowledgeBaseIds.length) return [];
  return [];
}
