// Overview: brokers, topics, partition health, rates, disk, throughput chart, services.
import { Link } from 'react-router-dom';
import { useOverview } from '../../api/queries.ts';
import { QueryView } from '../../components/status.tsx';
import { LineChart } from '../../components/line-chart.tsx';
import { BrokerBars } from '../../components/broker-bars.tsx';
import { MetadataStoreBanner, StoreSymbol } from '../../components/metadata-store.tsx';
import { fmtBytes, fmtNum, fmtRate } from '../../lib/format.ts';
import { routes } from '../../routes.ts';
import type { MetricsSourceInfo, ServiceStatus } from '../../../shared/api-types.ts';

/** Says where the charts come from, so a figure can be checked against Prometheus. */
export function MetricsSourceNote({ s }: { s: MetricsSourceInfo }) {
  if (s.kind === 'metrics') {
    return <p className="muted" aria-label="Metrics source">From the brokers' <code>/metrics</code> ({s.urls.join(', ')}), the series Prometheus scrapes{s.error ? <> — not read: {s.error}</> : null}.</p>;
  }
  if (s.kind === 'offsets') {
    return <p className="muted" aria-label="Metrics source">Sampled from offsets over the Kafka protocol: no broker <code>/metrics</code> answered ({s.error}). Start the UI with <code>--admin-urls</code> to chart what Prometheus scrapes.</p>;
  }
  return null;
}

function Card({ label, value, bad, to }: { label: string; value: string; bad?: boolean; to?: string }) {
  const body = <><div className="label">{label}</div><div className="value">{value}</div></>;
  return <div className={`card${bad ? ' bad' : ''}`}>{to ? <Link to={to} style={{ color: 'inherit', textDecoration: 'none' }}>{body}</Link> : body}</div>;
}

function Service({ name, s }: { name: string; s: ServiceStatus }) {
  return (
    <tr>
      <td>{name}</td>
      <td>{s.url ?? <span className="muted">not configured</span>}</td>
      <td>{s.reachable ? <span className="badge ok">reachable</span> : <span className="badge bad">not reachable</span>}</td>
      <td className="muted">{s.error ?? ''}</td>
    </tr>
  );
}

export function Overview() {
  const q = useOverview();
  return (
    <>
      <h1>Overview</h1>
      <QueryView q={q} what="the cluster overview">
        {(o) => (
          <>
            <MetadataStoreBanner s={o.metadataStore} />
            <p className="muted">Cluster <code>{o.clusterId}</code> at <code>{o.bootstrap}</code></p>
            <section className="cards" aria-label="Cluster figures">
              <Card label="Brokers" value={o.brokers.some((b) => !b.alive) ? `${fmtNum(o.brokerCount)} / ${fmtNum(o.brokers.length)} alive` : fmtNum(o.brokerCount)} bad={o.brokers.some((b) => !b.alive)} to={routes.brokers()} />
              <Card label="Topics" value={fmtNum(o.topicCount)} to={routes.topics()} />
              <Card label="Partitions" value={fmtNum(o.partitionCount)} />
              <Card label="Under-replicated partitions" value={fmtNum(o.underReplicatedPartitions)} bad={o.underReplicatedPartitions > 0} />
              <Card label="Offline partitions" value={fmtNum(o.offlinePartitions)} bad={o.offlinePartitions > 0} />
              <Card label="Reassignments" value={o.reassignmentCount === null ? '—' : fmtNum(o.reassignmentCount)} to={routes.brokers()} />
              <Card label="Consumer groups" value={fmtNum(o.groupCount)} to={routes.groups()} />
              <Card label="Messages in" value={fmtNum(o.messagesIn)} />
              <Card label="Produced" value={fmtRate(o.produceRate)} />
              <Card label="Consumed" value={fmtRate(o.consumeRate)} />
              <Card label="Disk used" value={fmtBytes(o.diskBytes)} />
            </section>
            <section className="panel" aria-labelledby="cluster-title">
              <h2 id="cluster-title" style={{ marginTop: 0 }}>Cluster</h2>
              <p className="muted">
                Controller: broker {o.controllerId}. {o.offlinePartitions > 0 ? <span className="badge bad solid">{o.offlinePartitions} offline partitions</span> : null}
                {o.metadataStore && <> <StoreSymbol reachable={o.metadataStore.state === 'reachable'} size={18} /> metadata store {o.metadataStore.state === 'reachable' ? 'reachable' : `unreachable on brokers ${o.metadataStore.unreachableBrokers.join(', ')}`}</>}
              </p>
              <BrokerBars brokers={o.brokers} />
            </section>
            <section className="panel" aria-labelledby="tp-title">
              <h2 id="tp-title" style={{ marginTop: 0 }}>Throughput (messages per second)</h2>
              <MetricsSourceNote s={o.metricsSource} />
              <LineChart
                title="Throughput"
                series={[
                  { label: 'Produced', points: o.throughput.map((p) => ({ t: p.t, v: p.produced })) },
                  { label: 'Consumed', points: o.throughput.map((p) => ({ t: p.t, v: p.consumed })) },
                ]}
              />
            </section>
            <h2>Services</h2>
            <table>
              <thead><tr><th>Service</th><th>URL</th><th>State</th><th>Detail</th></tr></thead>
              <tbody>
                <tr><td>Kafka broker(s)</td><td>{o.bootstrap}</td><td><span className="badge ok">reachable</span></td><td /></tr>
                <Service name="Schema registry" s={o.registry} />
                <Service name="Kafka Connect" s={o.connect} />
              </tbody>
            </table>
          </>
        )}
      </QueryView>
    </>
  );
}
