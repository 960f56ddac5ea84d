// Every URL of the app, built in one place.
const e = encodeURIComponent;
const qs = (p?: Record<string, string | number | undefined | null>) => {
  if (!p) return '';
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(p)) if (v !== undefined && v !== null && v !== '') s.set(k, String(v));
  const t = s.toString();
  return t ? `?${t}` : '';
};

export const routes = {
  overview: () => '/',
  topics: (p?: { q?: string; internal?: string; page?: number }) => `/topics${qs(p)}`,
  newTopic: () => '/topics/new',
  topic: (name: string) => `/topics/${e(name)}`,
  topicMessages: (name: string, p?: Record<string, string | number | undefined>) => `/topics/${e(name)}/messages${qs(p)}`,
  topicConfigs: (name: string) => `/topics/${e(name)}/configs`,
  topicProduce: (name: string) => `/topics/${e(name)}/produce`,
  groups: (p?: { q?: string }) => `/groups${qs(p)}`,
  group: (id: string) => `/groups/${e(id)}`,
  schemas: (p?: { q?: string }) => `/schemas${qs(p)}`,
  newSchema: (p?: { subject?: string }) => `/schemas/new${qs(p)}`,
  subject: (s: string, p?: { version?: number | string; diff?: number | string }) => `/schemas/${e(s)}${qs(p)}`,
  connectors: () => '/connectors',
  newConnector: (p?: { plugin?: string }) => `/connectors/new${qs(p)}`,
  connector: (n: string) => `/connectors/${e(n)}`,
  brokers: () => '/brokers',
  mirror: () => '/mirror',
  streams: () => '/streams',
  login: (p?: { next?: string }) => `/login${qs(p)}`,
};
