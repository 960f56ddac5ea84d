// /compatibility: test a schema against one version or against all (per transitivity).
import type { FastifyPluginAsync } from 'fastify';
import type { SchemaBody } from '../service.ts';
import { flag, schemaBody, stringQuery, subjectParams, versionParams, type RouteOptions } from './common.ts';

type Q = Record<string, string | undefined>;

export const compatibilityRoutes: FastifyPluginAsync<RouteOptions> = async (app, { registry }) => {
  const answer = (r: { is_compatible: boolean; messages: string[] }, verbose: boolean) =>
    (verbose ? { is_compatible: r.is_compatible, messages: r.messages } : { is_compatible: r.is_compatible });

  app.post<{ Params: { subject: string; version: string }; Querystring: Q; Body: SchemaBody }>('/compatibility/subjects/:subject/versions/:version', {
    schema: { params: versionParams, querystring: stringQuery('verbose', 'normalize'), body: schemaBody },
  }, async (req) => answer(registry.testCompatibility(req.params.subject, req.params.version, req.body ?? {}, { normalize: flag(req.query.normalize) }), flag(req.query.verbose)));

  app.post<{ Params: { subject: string }; Querystring: Q; Body: SchemaBody }>('/compatibility/subjects/:subject/versions', {
    schema: { params: subjectParams, querystring: stringQuery('verbose', 'normalize'), body: schemaBody },
  }, async (req) => answer(registry.testCompatibility(req.params.subject, null, req.body ?? {}, { normalize: flag(req.query.normalize) }), flag(req.query.verbose)));
};
