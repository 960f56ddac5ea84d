// The platform's own Connect test kit: the SDK's test kit (plugins/sdk/testkit.ts)
// with an in-process platform — a real broker (server/) and a real Connect worker
// (connectors/) in this process, on free ports — plus the test-only plugins
// (helpers/plugins/*). Tests and benchmarks of this repository import startTestKit
// from here; the SDK itself imports nothing of the platform.
import pino, { type Logger } from 'pino';
import { startBroker } from './broker.ts';
import { startConnect, type RunningConnect } from '../../connectors/index.ts';
import { startTestKit as startSdkTestKit, type TestKit, type TestKitOptions, type TestPlatform } from '../../plugins/sdk/testkit.ts';
import { collectingSinkPlugin } from './plugins/collecting-sink.ts';
import { ConfigDef, SourceConnector, type Props, type SourceTask } from '../../plugins/sdk/index.ts';

export type { TestKit, ConsumedMessage, HttpResult } from '../../plugins/sdk/testkit.ts';

/** Plugins every in-process kit loads besides the built-ins: test-kit plugins, never loaded by `tributary start`. */
export const TEST_PLUGINS = [collectingSinkPlugin];

/** A broker and a Connect worker in this process. */
export function inProcessPlatform(): TestPlatform<RunningConnect> {
  return {
    async start(s) {
      const logger = (s.logger as Logger | undefined) ?? pino({ level: process.env.LOG_LEVEL ?? 'silent' });
      const broker = s.bootstrap ? null : await startBroker({ config: s.brokerConfig, dataDir: `${s.dir}/broker` });
      const bootstrap = s.bootstrap ?? broker!.bootstrap;
      const start = () => startConnect({ bootstrap, host: '127.0.0.1', port: 0, logger, config: s.workerConfig, dataDir: `${s.dir}/connect`, registryUrl: s.registryUrl, plugins: [...TEST_PLUGINS, ...(s.plugins ?? [])], scanPluginsDir: s.scanPluginsDir });
      let connect: RunningConnect;
      try { connect = await start(); } catch (e) { await broker?.stop(); throw e; }
      return {
        bootstrap, url: connect.url, worker: connect,
        async restartWorker() { await connect.close(); connect = await start(); return { url: connect.url, worker: connect }; },
        async close() { await connect.close().catch(() => undefined); await broker?.stop().catch(() => undefined); },
      };
    },
  };
}

/** The SDK's test kit on an in-process broker and worker (see plugins/sdk/testkit.ts for the kit's API). */
export function startTestKit(opts: Omit<TestKitOptions<RunningConnect>, 'platform'> = {}): Promise<TestKit<RunningConnect>> {
  return startSdkTestKit({ ...opts, platform: inProcessPlatform() });
}

/** A test's source connector: one task of class `task`, handed the connector's one STRING setting `key`. */
export function oneTaskSource(task: new () => SourceTask, key: string, documentation: string): new () => SourceConnector {
  return class extends SourceConnector {
    private p: Props = {};
    version() { return '1'; }
    config() { return new ConfigDef().define({ name: key, type: 'STRING', documentation }); }
    start(p: Props) { this.p = p; }
    taskConfigs() { return [{ [key]: this.p[key] }]; }
    stop() {}
    taskClass() { return task; }
  };
}
