// Leaders and replicas per broker as bars: an unbalanced cluster shows at a glance.
import type { BrokerInfo } from '../../shared/api-types.ts';
import { fmtNum } from '../lib/format.ts';

export function BrokerBars({ brokers }: { brokers: BrokerInfo[] }) {
  const max = Math.max(1, ...brokers.map((b) => b.replicaCount));
  return (
    <ul className="broker-bars" aria-label="Leaders and replicas per broker">
      {brokers.map((b) => {
        const label = `Broker ${b.nodeId}: ${b.leaderCount} leaders, ${b.replicaCount} replicas${b.alive ? '' : ', offline'}`;
        return (
          <li key={b.nodeId} aria-label={label}>
            <span className="who">
              Broker {b.nodeId}
              {b.rack && <span className="muted"> · rack {b.rack}</span>}
              {b.isController && <> <span className="badge ok">controller</span></>}
              {!b.alive && <> <span className="badge bad solid">offline</span></>}
            </span>
            <span className="bar-track" role="img" aria-label={label}>
              <span className={`bar replicas${b.alive ? '' : ' dead'}`} style={{ width: `${(b.replicaCount / max) * 100}%` }}>
                <span className="bar leaders" style={{ width: b.replicaCount ? `${(b.leaderCount / b.replicaCount) * 100}%` : 0 }} />
              </span>
            </span>
            <span className="figures muted">{fmtNum(b.leaderCount)} leaders / {fmtNum(b.replicaCount)} replicas</span>
          </li>
        );
      })}
    </ul>
  );
}
