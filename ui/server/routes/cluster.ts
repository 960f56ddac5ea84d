// Overview, brokers and the charts' series (read by the samplers from /metrics).
import type { FastifyInstance } from 'fastify';
import type { ConnectorRates, Overview, TopicRates } from '../../shared/api-types.ts';
import type { UiContext } from '../context.ts';
import { clusterInfo, reassignments, snapshot, topicSummaries } from '../services/cluster.ts';
import { listGroupIds } from '../services/groups.ts';

export async function clusterRoutes(app: FastifyInstance, { ctx }: { ctx: UiContext }): Promise<void> {
  app.get('/api/health', async () => ({ ok: true }));

  app.get('/api/config', async () => ({ bootstrap: ctx.bootstrap, registryUrl: ctx.registry.url, connectUrl: ctx.connect.url }));

  app.get('/api/overview', async (): Promise<Overview> => {
    const [s, groups, registry, connect, moving] = await Promise.all([
      snapshot(ctx.gw), listGroupIds(ctx.gw), ctx.registry.status(), ctx.connect.status(), reassignments(ctx.gw),
    ]);
    const topics = topicSummaries(s);
    const info = clusterInfo(s, moving, ctx.samplers.metadataStore);
    const tp = ctx.samplers.throughput;
    const last = tp[tp.length - 1];
    return {
      bootstrap: ctx.bootstrap, clusterId: s.clusterId, controllerId: s.controllerId, brokerCount: s.brokers.length,
      topicCount: topics.filter((t) => !t.internal).length, internalTopicCount: topics.filter((t) => t.internal).length,
      partitionCount: topics.reduce((x, t) => x + t.partitions, 0),
      underReplicatedPartitions: topics.reduce((x, t) => x + t.underReplicated, 0),
      offlinePartitions: topics.reduce((x, t) => x + t.offline, 0),
      diskBytes: info.brokers.some((b) => b.sizeBytes !== null) ? info.brokers.reduce((x, b) => x + (b.sizeBytes ?? 0), 0) : null,
      groupCount: groups.length,
      produceRate: last ? last.produced : null, consumeRate: last ? last.consumed : null,
      throughput: tp, messagesIn: ctx.samplers.messagesIn, metricsSource: ctx.samplers.source,
      brokers: info.brokers, reassignmentCount: info.reassignments ? info.reassignments.length : null, metadataStore: info.metadataStore, registry, connect,
    };
  });

  // A connector's record rate from Connect's /metrics (not under /api/connect/*, which is Connect's own API).
  app.get<{ Params: { name: string } }>('/api/connector-rates/:name', async (req): Promise<ConnectorRates> => ({
    points: ctx.samplers.connectorRates.get(req.params.name) ?? [], sampleIntervalMs: ctx.samplers.opts.intervalMs,
  }));

  app.get<{ Params: { topic: string } }>('/api/topic-rates/:topic', async (req): Promise<TopicRates> => ({
    points: ctx.samplers.topicRates.get(req.params.topic) ?? [], sampleIntervalMs: ctx.samplers.opts.intervalMs,
  }));

  app.get('/api/brokers', async () => {
    const [s, moving] = await Promise.all([snapshot(ctx.gw), reassignments(ctx.gw)]);
    return clusterInfo(s, moving, ctx.samplers.metadataStore);
  });
}
