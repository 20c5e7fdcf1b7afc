/**
 * Delivery statuses of a message sent to a customer. Meta's status webhooks may arrive
 * late, twice or out of order (read before delivered); a status never goes backwards.
 */
export type DeliveryStatus = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

const rank: Record<DeliveryStatus, number> = { pending: 0, sent: 1, delivered: 2, read: 3, failed: 4 };

/** Meta's status word → ours (`played`, for voice notes, counts as read). */
export function fromMetaStatus(status: string): DeliveryStatus | undefined {
  if (status === 'played') return 'read';
  return status in rank ? (status as DeliveryStatus) : undefined;
}

export function statusRank(s: DeliveryStatus): number {
  return rank[s];
}

/** The status after `incoming` arrives: the further one wins; failed is final. */
export function nextStatus(current: DeliveryStatus | undefined, incoming: DeliveryStatus): DeliveryStatus {
  if (!current) return incoming;
  if (current === 'failed') return 'failed';
  return rank[incoming] > rank[current] ? incoming : current;
}
