// /config and /mode, global and per subject.
import type { FastifyPluginAsync } from 'fastify';
import { err } from '../errors.ts';
import { flag, stringQuery, subjectParams, type RouteOptions } from './common.ts';

type Q = Record<string, string | undefined>;
const configBody = { type: 'object', properties: { compatibility: { type: 'string' }, compatibilityLevel: { type: 'string' } } } as const;
const modeBody = { type: 'object', properties: { mode: { type: 'string' } } } as const;

export const configRoutes: FastifyPluginAsync<RouteOptions> = async (app, { registry }) => {
  app.get('/config', async () => ({ compatibilityLevel: registry.globalCompatibility() }));

  app.put<{ Body: { compatibility?: string; compatibilityLevel?: string } }>('/config', { schema: { body: configBody }, config: { write: true } }, async (req) =>
    ({ compatibility: await registry.setCompatibility(null, req.body?.compatibility ?? req.body?.compatibilityLevel) }));

  app.delete('/config', { config: { write: true } }, async () => ({ compatibilityLevel: await registry.deleteCompatibility(null) }));

  app.get<{ Params: { subject: string }; Querystring: Q }>('/config/:subject', { schema: { params: subjectParams, querystring: stringQuery('defaultToGlobal') } }, async (req) => {
    const own = registry.state.configs.get(req.params.subject);
    if (own) return { compatibilityLevel: own };
    if (flag(req.query.defaultToGlobal)) return { compatibilityLevel: registry.globalCompatibility() };
    throw err.noSubjectConfig(req.params.subject);
  });

  app.put<{ Params: { subject: string }; Body: { compatibility?: string; compatibilityLevel?: string } }>('/config/:subject', { schema: { params: subjectParams, body: configBody }, config: { write: true } }, async (req) =>
    ({ compatibility: await registry.setCompatibility(req.params.subject, req.body?.compatibility ?? req.body?.compatibilityLevel) }));

  app.delete<{ Params: { subject: string } }>('/config/:subject', { schema: { params: subjectParams }, config: { write: true } }, async (req) =>
    ({ compatibilityLevel: await registry.deleteCompatibility(req.params.subject) }));

  app.get('/mode', async () => ({ mode: registry.modeOf(null) }));

  app.put<{ Body: { mode?: string }; Querystring: Q }>('/mode', { schema: { body: modeBody, querystring: stringQuery('force') }, config: { write: true } }, async (req) =>
    ({ mode: await registry.setMode(null, req.body?.mode, flag(req.query.force)) }));

  app.get<{ Params: { subject: string }; Querystring: Q }>('/mode/:subject', { schema: { params: subjectParams, querystring: stringQuery('defaultToGlobal') } }, async (req) => {
    const own = registry.state.modes.get(req.params.subject);
    if (own) return { mode: own };
    if (flag(req.query.defaultToGlobal)) return { mode: registry.modeOf(null) };
    throw err.noSubjectMode(req.params.subject);
  });

  app.put<{ Params: { subject: string }; Body: { mode?: string }; Querystring: Q }>('/mode/:subject', { schema: { params: subjectParams, body: modeBody, querystring: stringQuery('force') }, config: { write: true } }, async (req) =>
    ({ mode: await registry.setMode(req.params.subject, req.body?.mode, flag(req.query.force)) }));

  app.delete<{ Params: { subject: string } }>('/mode/:subject', { schema: { params: subjectParams }, config: { write: true } }, async (req) =>
    ({ mode: await registry.deleteMode(req.params.subject) }));
};
