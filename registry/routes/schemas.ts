// /schemas: by id (+ /schema, /versions, /subjects), listing, and the supported types.
import type { FastifyPluginAsync } from 'fastify';
import { SCHEMA_TYPES } from '../formats/types.ts';
import { err } from '../errors.ts';
import { flag, stringQuery, type RouteOptions } from './common.ts';

type Q = Record<string, string | undefined>;
const idParams = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } as const;

function parseId(s: string): number {
  if (!/^\d+$/.test(s) || Number(s) > 2 ** 31 - 1) throw err.schemaNotFound(`Schema ${s} not found`);
  return Number(s);
}

export const schemaRoutes: FastifyPluginAsync<RouteOptions> = async (app, { registry }) => {
  app.get('/schemas/types', async () => [...SCHEMA_TYPES]);

  app.get<{ Querystring: Q }>('/schemas', { schema: { querystring: stringQuery('subjectPrefix', 'deleted', 'latestOnly', 'offset', 'limit') } }, async (req) => {
    const subjects = registry.listSubjects({ prefix: req.query.subjectPrefix, deleted: flag(req.query.deleted) });
    const out: Record<string, unknown>[] = [];
    for (const s of subjects) {
      const versions = registry.state.versions(s, flag(req.query.deleted));
      for (const v of flag(req.query.latestOnly) ? versions.slice(-1) : versions) {
        const o: Record<string, unknown> = { subject: v.subject, version: v.version, id: v.id };
        if (v.schemaType !== 'AVRO') o.schemaType = v.schemaType;
        if (v.references.length) o.references = v.references;
        o.schema = v.schema;
        out.push(o);
      }
    }
    const offset = Number(req.query.offset ?? 0) || 0;
    const limit = Number(req.query.limit ?? -1);
    return limit > 0 ? out.slice(offset, offset + limit) : out.slice(offset);
  });

  app.get<{ Params: { id: string }; Querystring: Q }>('/schemas/ids/:id', { schema: { params: idParams, querystring: stringQuery('subject', 'format', 'fetchMaxId') } }, async (req) => {
    const s = registry.getById(parseId(req.params.id));
    const o: Record<string, unknown> = {};
    if (s.schemaType !== 'AVRO') o.schemaType = s.schemaType;
    if (s.references.length) o.references = s.references;
    o.schema = registry.formatted(s, req.query.format);
    if (flag(req.query.fetchMaxId)) o.maxId = registry.state.maxId;
    return o;
  });

  app.get<{ Params: { id: string }; Querystring: Q }>('/schemas/ids/:id/schema', { schema: { params: idParams, querystring: stringQuery('subject', 'format') } }, async (req, reply) => {
    const s = registry.getById(parseId(req.params.id));
    return reply.header('content-type', 'application/vnd.schemaregistry.v1+json').send(registry.formatted(s, req.query.format));
  });

  app.get<{ Params: { id: string }; Querystring: Q }>('/schemas/ids/:id/versions', { schema: { params: idParams, querystring: stringQuery('subject', 'deleted') } }, async (req) => {
    const id = parseId(req.params.id);
    registry.getById(id);
    return registry.state.versionsOfId(id, flag(req.query.deleted)).filter((v) => !req.query.subject || v.subject === req.query.subject).map((v) => ({ subject: v.subject, version: v.version }));
  });

  app.get<{ Params: { id: string }; Querystring: Q }>('/schemas/ids/:id/subjects', { schema: { params: idParams, querystring: stringQuery('subject', 'deleted') } }, async (req) => {
    const id = parseId(req.params.id);
    registry.getById(id);
    return [...new Set(registry.state.versionsOfId(id, flag(req.query.deleted)).map((v) => v.subject))].filter((s) => !req.query.subject || s === req.query.subject);
  });
};
