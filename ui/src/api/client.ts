// The one API client: every request the browser makes goes through here.
import type {
  AlterTopicConfigsRequest, BrowseEvent, BrowseQuery, ClusterInfo, ConnectorRates, CreateTopicRequest, MirrorOverview, TopicRates, GroupDetails, GroupSummary, Overview,
  ProduceRequest, ProduceResult, ResendRequest, ResetOffsetsRequest, ResetOffsetsResult, ServiceStatus, TopicDetails, TopicSummary,
} from '../../shared/api-types.ts';
import type { StreamApp } from '../../shared/streams-types.ts';

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly target?: string) { super(message); }
}

/** Who is logged in (GET /api/auth/me); authEnabled false: the UI has no login (ui.users.file unset). */
export interface Me { authEnabled: boolean; user: string | null; role: 'viewer' | 'operator' | 'admin'; csrfToken: string | null }

// The session's CSRF token, sent on every write (the server checks it against the session).
let csrfToken: string | null = null;
export function setCsrfToken(t: string | null): void { csrfToken = t; }

async function request<T>(method: string, url: string, body?: unknown): Promise<T> {
  let res: Response;
  const write = method !== 'GET' && method !== 'HEAD';
  try {
    res = await fetch(url, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(write && csrfToken ? { 'x-csrf-token': csrfToken } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  } catch (e) {
    throw new ApiError(0, 'ui_unreachable', `The UI server is not reachable (${(e as Error).message})`);
  }
  const text = await res.text();
  let data: unknown = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  // a session that ended (or never was): to the login page, back here afterwards
  if (res.status === 401 && url !== '/api/auth/login' && typeof window !== 'undefined' && window.location.pathname !== '/login') {
    window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
  }
  if (!res.ok) {
    const d = (data ?? {}) as { code?: string; error_code?: number; message?: string; target?: string };
    // UI API errors carry `code`; registry/Connect errors forwarded as-is carry `error_code`.
    throw new ApiError(res.status, d.code ?? String(d.error_code ?? res.status), d.message ?? (typeof data === 'string' && data ? data : `${method} ${url} failed with HTTP ${res.status}`), d.target);
  }
  return data as T;
}

const enc = encodeURIComponent;

export interface RegistrySchema { subject: string; version: number; id: number; schema: string; schemaType?: string; references?: unknown[] }
export interface CompatibilityResult { is_compatible: boolean; messages?: string[] }
export interface ConnectorStatus {
  name: string;
  connector: { state: string; worker_id: string; trace?: string };
  tasks: { id: number; state: string; worker_id: string; trace?: string }[];
  type?: string;
}
export interface ConnectorInfo { name: string; config: Record<string, string>; tasks: { connector: string; task: number }[]; type?: string }
export interface ConnectorPlugin { class: string; type: string; version?: string }
export interface ConfigDefinition {
  name: string; type: string; required: boolean; default_value: string | null; importance: string; documentation: string;
  group: string | null; order: number; width: string; display_name: string; dependents: string[];
}
export interface ConfigValue { name: string; value: string | null; recommended_values: string[]; errors: string[]; visible: boolean }
export interface ValidateResult { name: string; error_count: number; groups: string[]; configs: { definition: ConfigDefinition; value: ConfigValue }[] }

export const api = {
  me: () => request<Me>('GET', '/api/auth/me'),
  login: (username: string, password: string) => request<Me>('POST', '/api/auth/login', { username, password }),
  logout: () => request<void>('POST', '/api/auth/logout'),

  overview: () => request<Overview>('GET', '/api/overview'),
  brokers: () => request<ClusterInfo>('GET', '/api/brokers'),
  mirror: () => request<MirrorOverview>('GET', '/api/mirror'),
  streams: () => request<StreamApp[]>('GET', '/api/streams'),
  topicRates: (topic: string) => request<TopicRates>('GET', `/api/topic-rates/${enc(topic)}`),
  connectorRates: (name: string) => request<ConnectorRates>('GET', `/api/connector-rates/${enc(name)}`),

  topics: () => request<TopicSummary[]>('GET', '/api/topics'),
  topic: (name: string) => request<TopicDetails>('GET', `/api/topics/${enc(name)}`),
  createTopic: (r: CreateTopicRequest) => request<TopicDetails>('POST', '/api/topics', r),
  alterTopicConfigs: (name: string, r: AlterTopicConfigsRequest) => request<TopicDetails>('PATCH', `/api/topics/${enc(name)}/configs`, r),
  addPartitions: (name: string, count: number) => request<TopicDetails>('POST', `/api/topics/${enc(name)}/partitions`, { count }),
  deleteTopic: (name: string) => request<void>('DELETE', `/api/topics/${enc(name)}`),
  produce: (topic: string, r: ProduceRequest) => request<ProduceResult>('POST', `/api/topics/${enc(topic)}/messages`, r),
  resend: (topic: string, r: ResendRequest) => request<ProduceResult>('POST', `/api/topics/${enc(topic)}/resend`, r),

  groups: () => request<GroupSummary[]>('GET', '/api/groups'),
  group: (id: string) => request<GroupDetails>('GET', `/api/groups/${enc(id)}`),
  resetOffsets: (id: string, r: ResetOffsetsRequest) => request<ResetOffsetsResult>('POST', `/api/groups/${enc(id)}/reset-offsets`, r),
  deleteGroup: (id: string) => request<void>('DELETE', `/api/groups/${enc(id)}`),

  registry: {
    status: () => request<ServiceStatus>('GET', '/api/registry-status'),
    subjects: () => request<string[]>('GET', '/api/registry/subjects'),
    versions: (s: string) => request<number[]>('GET', `/api/registry/subjects/${enc(s)}/versions`),
    version: (s: string, v: number | 'latest') => request<RegistrySchema>('GET', `/api/registry/subjects/${enc(s)}/versions/${v}`),
    globalConfig: () => request<{ compatibilityLevel: string }>('GET', '/api/registry/config'),
    subjectConfig: (s: string) => request<{ compatibilityLevel: string }>('GET', `/api/registry/config/${enc(s)}`),
    setGlobalConfig: (level: string) => request<{ compatibility: string }>('PUT', '/api/registry/config', { compatibility: level }),
    setSubjectConfig: (s: string, level: string) => request<{ compatibility: string }>('PUT', `/api/registry/config/${enc(s)}`, { compatibility: level }),
    deleteSubjectConfig: (s: string) => request<unknown>('DELETE', `/api/registry/config/${enc(s)}`),
    check: (s: string, body: { schema: string; schemaType: string }) =>
      request<CompatibilityResult>('POST', `/api/registry/compatibility/subjects/${enc(s)}/versions?verbose=true`, body),
    register: (s: string, body: { schema: string; schemaType: string }) => request<{ id: number }>('POST', `/api/registry/subjects/${enc(s)}/versions`, body),
    deleteSubject: (s: string) => request<number[]>('DELETE', `/api/registry/subjects/${enc(s)}`),
  },

  connect: {
    status: () => request<ServiceStatus>('GET', '/api/connect-status'),
    connectors: () => request<Record<string, { status: ConnectorStatus; info: ConnectorInfo }>>('GET', '/api/connect/connectors?expand=status&expand=info'),
    connector: (n: string) => request<ConnectorInfo>('GET', `/api/connect/connectors/${enc(n)}`),
    connectorStatus: (n: string) => request<ConnectorStatus>('GET', `/api/connect/connectors/${enc(n)}/status`),
    plugins: () => request<ConnectorPlugin[]>('GET', '/api/connect/connector-plugins'),
    validate: (plugin: string, config: Record<string, string>) => request<ValidateResult>('PUT', `/api/connect/connector-plugins/${enc(plugin)}/config/validate`, config),
    create: (name: string, config: Record<string, string>) => request<ConnectorInfo>('POST', '/api/connect/connectors', { name, config }),
    pause: (n: string) => request<void>('PUT', `/api/connect/connectors/${enc(n)}/pause`),
    resume: (n: string) => request<void>('PUT', `/api/connect/connectors/${enc(n)}/resume`),
    restart: (n: string) => request<unknown>('POST', `/api/connect/connectors/${enc(n)}/restart?includeTasks=true&onlyFailed=false`),
    restartTask: (n: string, task: number) => request<void>('POST', `/api/connect/connectors/${enc(n)}/tasks/${task}/restart`),
    remove: (n: string) => request<void>('DELETE', `/api/connect/connectors/${enc(n)}`),
  },
};

/** Query string of a browse: the same keys the page keeps in its URL. */
export function browseSearch(q: BrowseQuery): URLSearchParams {
  const p = new URLSearchParams({ mode: q.mode, limit: String(q.limit) });
  if (q.partitions.length) p.set('partitions', q.partitions.join(','));
  if (q.offset) p.set('offset', q.offset);
  if (q.timestamp !== undefined) p.set('timestamp', String(q.timestamp));
  if (q.group) p.set('group', q.group);
  if (q.keyFilter) p.set('key', q.keyFilter);
  if (q.valueFilter) p.set('value', q.valueFilter);
  if (q.headerFilter) p.set('header', q.headerFilter);
  if (q.predicate) p.set('predicate', q.predicate);
  if (q.maxScan) p.set('maxScan', String(q.maxScan));
  if (q.maxTimeMs) p.set('maxTimeMs', String(q.maxTimeMs));
  return p;
}

/** Streams a browse: calls onEvent per NDJSON line until done, error or abort. */
export async function browse(q: BrowseQuery, onEvent: (e: BrowseEvent) => void, signal: AbortSignal): Promise<void> {
  let res: Response;
  try {
    res = await fetch(`/api/topics/${enc(q.topic)}/browse?${browseSearch(q)}`, { signal });
  } catch (e) {
    if (signal.aborted) return;
    throw new ApiError(0, 'ui_unreachable', `The UI server is not reachable (${(e as Error).message})`);
  }
  if (!res.ok || !res.body) {
    const d = await res.json().catch(() => ({})) as { code?: string; message?: string };
    throw new ApiError(res.status, d.code ?? String(res.status), d.message ?? `Browsing failed with HTTP ${res.status}`);
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i); buf = buf.slice(i + 1);
        if (line.trim()) onEvent(JSON.parse(line) as BrowseEvent);
      }
    }
  } catch (e) {
    if (!signal.aborted) throw e;
  }
}
