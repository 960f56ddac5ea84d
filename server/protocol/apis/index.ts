// Every Kafka API the broker speaks, declared once (see ../schema.ts).
import { compileApi, type ApiCodec, type ApiDecl } from '../schema.ts';
import { ApiVersions } from './api-versions.ts';
import { Metadata, Produce, Fetch, ListOffsets } from './draft-core.ts';
import * as adm from './draft-admin.ts';
import * as grp from './draft-groups.ts';

export const API_DECLS: ApiDecl[] = [
  ApiVersions, Metadata, Produce, Fetch, ListOffsets, ...Object.values(adm), ...Object.values(grp),
];

export const API_BY_KEY = new Map<number, ApiCodec>(API_DECLS.map((d) => [d.key, compileApi(d)]));
export const API_BY_NAME = new Map<string, ApiCodec>([...API_BY_KEY.values()].map((c) => [c.decl.name, c]));
