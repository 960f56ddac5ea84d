// End-to-end harness for test/ui-*.test.ts: a real in-process broker, the real UI
// server (startUi, which builds ui/dist when stale) and Debian's Chromium through
// playwright-core. Screenshots go to test-artifacts/ui/.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker, type TestBroker } from './broker.ts';
import { ClusterAdmin, KafkaProducer } from '../../client/index.ts';
import { startUi } from '../../ui/server/index.ts';
import { UI_ROOT } from '../../ui/build.ts';

export const ARTIFACTS = path.join(UI_ROOT, '..', 'test-artifacts', 'ui');

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export interface UiHarness {
  broker: TestBroker;
  /** The broker's admin URL (/metrics, /health, /ready). */
  adminUrl: string;
  ui: { url: string; port: number };
  /** The Connect REST URL the UI talks to, if any. */
  connectUrl?: string;
  /** kafkajs from npm: an existing user's client (its consumer groups, its producer), not the UI's own path. */
  kafka: Kafka;
  browser: Browser;
  page: Page;
  /** Saves test-artifacts/ui/<name>.png (full page). */
  shot(name: string): Promise<void>;
}

export interface UiHarnessOptions {
  registryUrl?: string;
  connectUrl?: string;
  /** Starts a service on the harness's broker before the UI (e.g. a real Connect worker) and returns its URL as connectUrl. */
  startConnect?: (bootstrap: string) => Promise<{ url: string; close(): Promise<void> }>;
  colorScheme?: 'light' | 'dark';
  /** How often the UI server samples lag and rates (default: the UI's 10 s). */
  sampleIntervalMs?: number;
  /** Give the UI no broker admin URL that answers (its charts fall back to offsets over Kafka). */
  noBrokerMetrics?: boolean;
  /** The UI's settings (ui.users.file, listeners, ssl.keystore.*, …: ui/server/config.ts). */
  uiConfig?: Record<string, string>;
  /** More Chromium flags (e.g. --ignore-certificate-errors-spki-list to trust one test certificate). */
  chromiumArgs?: string[];
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

export async function startUiHarness(t: TestContext, opts: UiHarnessOptions = {}): Promise<UiHarness> {
  // Teardown runs last-started-first (node:test runs t.after hooks in registration
  // order): clients of the broker must stop before it, or they retry forever.
  const teardown: (() => unknown)[] = [];
  t.after(async () => {
    for (const f of teardown.reverse()) await Promise.resolve().then(f).catch(() => undefined);
  });
  // The broker's admin port, whose /metrics the UI's charts read (as Prometheus does).
  const broker = await startBroker({ config: { 'admin.listeners': 'http://127.0.0.1:0' } });
  teardown.push(() => broker.stop());
  let connectUrl = opts.connectUrl;
  if (opts.startConnect) {
    const c = await opts.startConnect(broker.bootstrap);
    teardown.push(() => c.close());
    connectUrl = c.url;
  }
  const brokerAdminUrls = opts.noBrokerMetrics ? [`http://127.0.0.1:${await closedPort()}`] : broker.broker.adminPorts.map((p) => `http://127.0.0.1:${p}`);
  const ui = await startUi({ bootstrap: broker.bootstrap, host: '127.0.0.1', port: 0, registryUrl: opts.registryUrl, connectUrl, brokerAdminUrls, sampleIntervalMs: opts.sampleIntervalMs, config: opts.uiConfig });
  teardown.push(() => ui.close());
  const kafka = new Kafka({ clientId: 'ui-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, ...(opts.chromiumArgs ?? [])] });
  teardown.push(() => browser.close());
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, colorScheme: opts.colorScheme ?? 'light', timezoneId: 'UTC', acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  t.after(() => { if (errors.length) throw new Error(`uncaught errors in the page: ${errors.join('; ')}`); });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return {
    broker, ui, kafka, browser, page, connectUrl, adminUrl: `http://127.0.0.1:${broker.broker.adminPorts[0]}`,
    async shot(name) { await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true }); },
  };
}

/**
 * Produces `n` JSON messages {n, kind} with keys k<i> to `topic` (created with
 * `partitions`), through the platform's own client (client/), as the UI server
 * reads them.
 */
export async function seedTopic(h: Pick<UiHarness, 'broker'>, topic: string, n: number, partitions = 1): Promise<void> {
  const admin = new ClusterAdmin({ bootstrap: h.broker.bootstrap, clientId: 'ui-test-seed' });
  const producer = new KafkaProducer({ bootstrap: h.broker.bootstrap, clientId: 'ui-test-seed' });
  try {
    await admin.createTopic({ topic, partitions });
    const records = Array.from({ length: n }, (_, i) => ({ topic, key: `k${i}`, value: JSON.stringify({ n: i, kind: i % 2 ? 'odd' : 'even' }), headers: { source: 'seed' } }));
    for (let i = 0; i < records.length; i += 500) await producer.send(records.slice(i, i + 500));
  } finally {
    await producer.close();
    await admin.close();
  }
}
