// TanStack Query: every query key in one place, one hook per resource.
import { useQuery } from '@tanstack/react-query';
import { api, setCsrfToken } from './client.ts';

export const keys = {
  me: ['auth', 'me'] as const,
  overview: ['overview'] as const,
  brokers: ['brokers'] as const,
  mirror: ['mirror'] as const,
  streams: ['streams'] as const,
  topics: ['topics'] as const,
  topic: (name: string) => ['topics', name] as const,
  topicRates: (name: string) => ['topics', name, 'rates'] as const,
  groups: ['groups'] as const,
  group: (id: string) => ['groups', id] as const,
  registryStatus: ['registry', 'status'] as const,
  subjects: ['registry', 'subjects'] as const,
  versions: (s: string) => ['registry', 'subjects', s, 'versions'] as const,
  version: (s: string, v: number | 'latest') => ['registry', 'subjects', s, 'versions', v] as const,
  globalCompat: ['registry', 'config'] as const,
  subjectCompat: (s: string) => ['registry', 'config', s] as const,
  connectStatus: ['connect', 'status'] as const,
  connectors: ['connect', 'connectors'] as const,
  connector: (n: string) => ['connect', 'connectors', n] as const,
  connectorRates: (n: string) => ['connect', 'connectors', n, 'rates'] as const,
  connectorStatus: (n: string) => ['connect', 'connectors', n, 'status'] as const,
  plugins: ['connect', 'plugins'] as const,
};

const REFRESH = 5000;

export const useMe = () => useQuery({ queryKey: keys.me, queryFn: async () => { const me = await api.me(); setCsrfToken(me.csrfToken); return me; }, staleTime: 60_000 });

export const useOverview = () => useQuery({ queryKey: keys.overview, queryFn: api.overview, refetchInterval: REFRESH });
export const useBrokers = () => useQuery({ queryKey: keys.brokers, queryFn: api.brokers, refetchInterval: REFRESH });
export const useMirror = () => useQuery({ queryKey: keys.mirror, queryFn: api.mirror, refetchInterval: REFRESH });
export const useStreamApps = () => useQuery({ queryKey: keys.streams, queryFn: api.streams, refetchInterval: REFRESH });
export const useTopics = () => useQuery({ queryKey: keys.topics, queryFn: api.topics, refetchInterval: REFRESH });
export const useTopic = (name: string) => useQuery({ queryKey: keys.topic(name), queryFn: () => api.topic(name), refetchInterval: REFRESH });
export const useTopicRates = (name: string) => useQuery({ queryKey: keys.topicRates(name), queryFn: () => api.topicRates(name), refetchInterval: REFRESH });
export const useGroups = () => useQuery({ queryKey: keys.groups, queryFn: api.groups, refetchInterval: REFRESH });
export const useGroup = (id: string) => useQuery({ queryKey: keys.group(id), queryFn: () => api.group(id), refetchInterval: REFRESH });

export const useRegistryStatus = () => useQuery({ queryKey: keys.registryStatus, queryFn: api.registry.status, refetchInterval: 10_000 });
export const useSubjects = (enabled = true) => useQuery({ queryKey: keys.subjects, queryFn: api.registry.subjects, enabled });
export const useVersions = (s: string) => useQuery({ queryKey: keys.versions(s), queryFn: () => api.registry.versions(s) });
export const useSchemaVersion = (s: string, v: number | 'latest' | null) =>
  useQuery({ queryKey: keys.version(s, v ?? 'latest'), queryFn: () => api.registry.version(s, v ?? 'latest'), enabled: v !== null });
export const useGlobalCompat = (enabled = true) => useQuery({ queryKey: keys.globalCompat, queryFn: api.registry.globalConfig, enabled });
export const useSubjectCompat = (s: string) => useQuery({
  queryKey: keys.subjectCompat(s),
  // 404 (40408) = the subject follows the global level.
  queryFn: () => api.registry.subjectConfig(s).catch((e) => { if (e.status === 404) return null; throw e; }),
});

export const useConnectStatus = () => useQuery({ queryKey: keys.connectStatus, queryFn: api.connect.status, refetchInterval: 10_000 });
export const useConnectors = (enabled = true) => useQuery({ queryKey: keys.connectors, queryFn: api.connect.connectors, enabled, refetchInterval: REFRESH });
export const useConnector = (n: string) => useQuery({ queryKey: keys.connector(n), queryFn: () => api.connect.connector(n) });
export const useConnectorStatus = (n: string) => useQuery({ queryKey: keys.connectorStatus(n), queryFn: () => api.connect.connectorStatus(n), refetchInterval: 3000 });
export const useConnectorRates = (n: string) => useQuery({ queryKey: keys.connectorRates(n), queryFn: () => api.connectorRates(n), refetchInterval: REFRESH });
export const usePlugins = (enabled = true) => useQuery({ queryKey: keys.plugins, queryFn: api.connect.plugins, enabled });
