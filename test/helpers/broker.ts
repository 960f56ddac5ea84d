// Starts a real broker in-process on a free port with a temp data dir.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBroker as start, type Broker } from '../../server/broker.ts';

export interface TestBroker {
  bootstrap: string;
  port: number;
  dataDir: string;
  broker: Broker;
  stop(): Promise<void>;
}

export function tempDir(prefix = 'tributary-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function startBroker(opts: { config?: Record<string, string>; dataDir?: string; port?: number } = {}): Promise<TestBroker> {
  const dataDir = opts.dataDir ?? tempDir();
  const ownDir = !opts.dataDir;
  const broker = await start({ dataDir, port: opts.port ?? 0, config: { 'group.initial.rebalance.delay.ms': '0', 'offsets.topic.num.partitions': '3', 'transaction.state.log.num.partitions': '3', ...opts.config } });
  let stopped = false;
  return {
    bootstrap: `127.0.0.1:${broker.port}`,
    port: broker.port,
    dataDir,
    broker,
    async stop() {
      if (stopped) return;
      stopped = true;
      await broker.stop();
      if (ownDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
