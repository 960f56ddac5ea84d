// Topics: list, create, details, configs, partitions, delete.
import type { FastifyInstance } from 'fastify';
import type { AlterTopicConfigsRequest, CreateTopicRequest } from '../../shared/api-types.ts';
import type { UiContext } from '../context.ts';
import { UiError } from '../errors.ts';
import { snapshot, topicConfigs, topicDetails, topicSummaries } from '../services/cluster.ts';

const topicParams = { type: 'object', required: ['topic'], properties: { topic: { type: 'string', minLength: 1 } } } as const;

export async function topicRoutes(app: FastifyInstance, { ctx }: { ctx: UiContext }): Promise<void> {
  const { gw } = ctx;

  app.get('/api/topics', async () => topicSummaries(await snapshot(gw)));

  app.post<{ Body: CreateTopicRequest }>('/api/topics', {
    schema: {
      body: {
        type: 'object', required: ['name'], additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 249, pattern: '^[a-zA-Z0-9._-]+$' },
          partitions: { type: 'integer', minimum: 1, maximum: 10000, default: 1 },
          replicationFactor: { type: 'integer', minimum: 1, maximum: 100, default: 1 },
          configs: { type: 'object', additionalProperties: { type: 'string' }, default: {} },
        },
      },
    },
  }, async (req, reply) => {
    const b = req.body;
    await gw.withAdmin(`creating topic "${b.name}"`, (a) => a.createTopic({ topic: b.name, partitions: b.partitions, replicationFactor: b.replicationFactor, configs: b.configs }))
      .catch((e: unknown) => {
        throw e instanceof UiError && e.code === 'topic_exists' ? new UiError('topic_exists', `Topic "${b.name}" already exists`, e.target) : e;
      });
    return reply.code(201).send(await topicDetails(gw, b.name));
  });

  app.get<{ Params: { topic: string } }>('/api/topics/:topic', { schema: { params: topicParams } }, async (req) => topicDetails(gw, req.params.topic));

  app.patch<{ Params: { topic: string }; Body: AlterTopicConfigsRequest }>('/api/topics/:topic/configs', {
    schema: {
      params: topicParams,
      body: { type: 'object', required: ['set'], additionalProperties: false, properties: { set: { type: 'object', additionalProperties: { type: ['string', 'null'] } } } },
    },
  }, async (req) => {
    const { topic } = req.params;
    // AlterConfigs replaces a topic's whole override set, so send current overrides plus the changes.
    const current = await topicConfigs(gw, topic);
    const overrides = new Map(current.filter((c) => c.source === 'topic' && c.value !== null).map((c) => [c.name, c.value as string]));
    for (const [k, v] of Object.entries(req.body.set)) { if (v === null || v === '') overrides.delete(k); else overrides.set(k, v); }
    await gw.withAdmin(`changing configs of topic "${topic}"`, (a) => a.replaceTopicConfigs(topic, Object.fromEntries(overrides)));
    return topicDetails(gw, topic);
  });

  app.post<{ Params: { topic: string }; Body: { count: number } }>('/api/topics/:topic/partitions', {
    schema: { params: topicParams, body: { type: 'object', required: ['count'], properties: { count: { type: 'integer', minimum: 1 } } } },
  }, async (req) => {
    const { topic } = req.params;
    await gw.withAdmin(`adding partitions to topic "${topic}"`, (a) => a.createPartitions(topic, req.body.count));
    return topicDetails(gw, topic);
  });

  app.delete<{ Params: { topic: string } }>('/api/topics/:topic', { schema: { params: topicParams } }, async (req, reply) => {
    const { topic } = req.params;
    const names = await gw.withAdmin('listing topics', (a) => a.listTopics(true));
    if (!names.includes(topic)) throw new UiError('topic_not_found', `Topic "${topic}" does not exist`);
    await gw.withAdmin(`deleting topic "${topic}"`, (a) => a.deleteTopics([topic]));
    return reply.code(204).send();
  });
}
