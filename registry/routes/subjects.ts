// /subjects: list, versions, register, lookup, delete (soft and permanent), referencedby.
import type { FastifyPluginAsync } from 'fastify';
import type { SchemaBody } from '../service.ts';
import { flag, schemaBody, stringQuery, subjectParams, versionBody, versionParams, type RouteOptions } from './common.ts';

type Q = Record<string, string | undefined>;

export const subjectRoutes: FastifyPluginAsync<RouteOptions> = async (app, { registry }) => {
  app.get<{ Querystring: Q }>('/subjects', { schema: { querystring: stringQuery('deleted', 'deletedOnly', 'subjectPrefix') } }, async (req) =>
    registry.listSubjects({ deleted: flag(req.query.deleted), deletedOnly: flag(req.query.deletedOnly), prefix: req.query.subjectPrefix }));

  app.get<{ Params: { subject: string }; Querystring: Q }>('/subjects/:subject/versions', { schema: { params: subjectParams, querystring: stringQuery('deleted', 'deletedOnly') } }, async (req) =>
    registry.listVersions(req.params.subject, { deleted: flag(req.query.deleted), deletedOnly: flag(req.query.deletedOnly) }));

  app.post<{ Params: { subject: string }; Querystring: Q; Body: SchemaBody }>('/subjects/:subject/versions', {
    schema: { params: subjectParams, querystring: stringQuery('normalize'), body: schemaBody },
    config: { write: true },
  }, async (req) => registry.register(req.params.subject, req.body ?? {}, { normalize: flag(req.query.normalize) }));

  app.post<{ Params: { subject: string }; Querystring: Q; Body: SchemaBody }>('/subjects/:subject', {
    schema: { params: subjectParams, querystring: stringQuery('normalize', 'deleted'), body: schemaBody },
  }, async (req) => {
    const v = registry.lookup(req.params.subject, req.body ?? {}, { normalize: flag(req.query.normalize), deleted: flag(req.query.deleted) });
    return versionBody(v, v.schema);
  });

  app.get<{ Params: { subject: string; version: string }; Querystring: Q }>('/subjects/:subject/versions/:version', {
    schema: { params: versionParams, querystring: stringQuery('deleted', 'format') },
  }, async (req) => {
    const v = registry.getVersion(req.params.subject, req.params.version, flag(req.query.deleted));
    return versionBody(v, registry.formatted(v, req.query.format));
  });

  app.get<{ Params: { subject: string; version: string }; Querystring: Q }>('/subjects/:subject/versions/:version/schema', {
    schema: { params: versionParams, querystring: stringQuery('deleted', 'format') },
  }, async (req, reply) => {
    const v = registry.getVersion(req.params.subject, req.params.version, flag(req.query.deleted));
    return reply.header('content-type', 'application/vnd.schemaregistry.v1+json').send(registry.formatted(v, req.query.format));
  });

  app.get<{ Params: { subject: string; version: string } }>('/subjects/:subject/versions/:version/referencedby', { schema: { params: versionParams } }, async (req) =>
    registry.referencedBy(req.params.subject, req.params.version));

  app.delete<{ Params: { subject: string; version: string }; Querystring: Q }>('/subjects/:subject/versions/:version', {
    schema: { params: versionParams, querystring: stringQuery('permanent') },
    config: { write: true },
  }, async (req) => registry.deleteVersion(req.params.subject, req.params.version, flag(req.query.permanent)));

  app.delete<{ Params: { subject: string }; Querystring: Q }>('/subjects/:subject', {
    schema: { params: subjectParams, querystring: stringQuery('permanent') },
    config: { write: true },
  }, async (req) => registry.deleteSubject(req.params.subject, flag(req.query.permanent)));
};
