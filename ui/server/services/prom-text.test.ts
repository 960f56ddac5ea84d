import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry, Counter, Gauge } from 'prom-client';
import { MetricSet, parsePrometheusText } from './prom-text.ts';

test('reads what prom-client writes: labels with escapes, histograms, special values', async () => {
  const r = new Registry();
  new Counter({ name: 'kafka_x_total', help: 'h', labelNames: ['topic'], registers: [r] }).inc({ topic: 'a"b\\c\nd' }, 3);
  const g = new Gauge({ name: 'g', help: 'h', labelNames: ['k', 'p'], registers: [r] });
  g.set({ k: 'one', p: '0' }, 1.5); g.set({ k: 'one', p: '1' }, 2); g.set({ k: 'two', p: '0' }, Infinity);
  const m = new MetricSet(parsePrometheusText(await r.metrics() + 'plain 7 1700000000000\nnot a line\n'));
  assert.deepEqual(m.get('kafka_x_total'), [{ name: 'kafka_x_total', labels: { topic: 'a"b\\c\nd' }, value: 3 }]);
  assert.deepEqual([...m.sumBy('g', 'k')], [['one', 3.5]]);
  assert.equal(m.get('g')[2].value, Infinity);
  assert.equal(m.sum('plain'), 7);
  assert.equal(m.has('not'), false);
});
