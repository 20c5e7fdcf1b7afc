/**
 * Says what the live connection is doing when it matters: dropped ("Reconectando…"),
 * offline, catching up, and caught up ("Sincronizado") after a reconnection or a manual
 * resync. Nothing while all is well.
 */
import type { LiveState } from '../live.ts';
import { useI18n } from '../i18n/index.ts';

export type SyncState = 'idle' | 'syncing' | 'synced' | 'failed';

export function ConnectionBanner({
  live,
  sync,
  onResync,
}: {
  live: LiveState;
  sync: SyncState;
  onResync: () => void;
}) {
  const { t } = useI18n();
  let kind: 'warn' | 'ok' | 'info' | 'error' | undefined;
  let text = '';
  let testId = 'connection-banner';
  if (live === 'reconnecting') {
    kind = 'warn';
    text = `${t.reconnecting} ${t.reconnectingHint}`;
  } else if (live === 'offline') {
    kind = 'warn';
    text = t.offline;
  } else if (sync === 'syncing') {
    kind = 'info';
    text = t.syncing;
  } else if (sync === 'synced') {
    kind = 'ok';
    text = t.resynced;
    testId = 'resync-notice';
  } else if (sync === 'failed') {
    kind = 'error';
    text = t.syncFailed;
  }
  if (!kind) return null;
  return (
    <div className={`banner banner-${kind}`} role="status" aria-live="polite">
      <span data-testid={testId} data-state={live === 'open' ? sync : live}>
        {text}
      </span>
      {sync === 'failed' && live === 'open' && (
        <button className="link" onClick={onResync}>
          {t.resync}
        </button>
      )}
    </div>
  );
}
