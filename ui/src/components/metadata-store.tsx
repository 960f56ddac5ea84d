// The cluster's metadata store (PostgreSQL) as the brokers' /metrics report it: a banner
// while any broker cannot reach it (what still works, what cannot happen until it returns),
// and a coloured store symbol for the figures. Nothing on a single node (no store).
import type { MetadataStoreStatus } from '../../shared/api-types.ts';
import { fmtSeconds, fmtTime } from '../lib/format.ts';
import { useSettings } from '../lib/settings.tsx';

const list = (ids: number[]) => ids.join(', ');

/** A database cylinder in the state's colour (green reachable, red unreachable). */
export function StoreSymbol({ reachable, size = 28 }: { reachable: boolean; size?: number }) {
  const label = `Metadata store: ${reachable ? 'reachable' : 'unreachable'}`;
  return (
    <svg className={`store-symbol ${reachable ? 'ok' : 'bad'}`} width={size} height={size} viewBox="0 0 24 24" role="img" aria-label={label}>
      <title>{label}</title>
      <ellipse cx="12" cy="5" rx="8" ry="3" />
      <path d="M4 5v14c0 1.7 3.6 3 8 3s8-1.3 8-3V5" />
      <path d="M4 12c0 1.7 3.6 3 8 3s8-1.3 8-3" />
      {!reachable && <path className="cross" d="M3 3 21 21" />}
    </svg>
  );
}

/** "Metadata store unreachable since HH:MM:SS on brokers 1, 2, 3 — …"; null while reachable or without a store. */
export function MetadataStoreBanner({ s }: { s: MetadataStoreStatus | null }) {
  const { timeZone } = useSettings();
  if (!s || s.state !== 'unreachable') return null;
  const down = s.unreachableBrokers;
  const up = s.brokers.filter((b) => b.reachable).map((b) => b.nodeId);
  const at = s.unreachableSince === null ? null : fmtTime(s.unreachableSince, timeZone);
  const lasted = s.unreachableSince === null ? null : fmtSeconds(Math.max(0, (s.sampledAt - s.unreachableSince) / 1000));
  const who = `${down.length === 1 ? 'broker' : 'brokers'} ${list(down)}`;
  return (
    <div className="alert store-outage" role="alert" aria-label="Metadata store unreachable">
      <StoreSymbol reachable={false} size={36} />
      <div>
        <strong>
          Metadata store unreachable{at ? <> since <time dateTime={new Date(s.unreachableSince!).toISOString()} title={`${at} (${timeZone})`}>{at.slice(11, 19)}</time></> : null} on {who}
          {lasted ? <span className="muted"> (for {lasted})</span> : null}
        </strong>
        {up.length === 0
          ? <span>Produce and fetch continue for current leaders; no leader election, topic creation or reassignment is possible until it returns.</span>
          : <span>Those brokers keep serving produce and fetch for the partitions they lead; {up.length === 1 ? 'broker' : 'brokers'} {list(up)} still reach it, so the controller may move leadership away from them. Topic creation and reassignment asked of them fail until it returns.</span>}
      </div>
    </div>
  );
}
