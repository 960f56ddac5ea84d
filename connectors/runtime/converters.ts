// Builds a connector's key/value converters: the connector's `key.converter` (with
// its `key.converter.*` keys) overrides the worker's default (with the worker's keys).
import type { Converter, Props } from '../../plugins/sdk/index.ts';
import type { Plugins } from './plugins.ts';
import { subProps } from './transform-chain.ts';

export async function makeConverter(which: 'key' | 'value', connProps: Props, workerProps: Props, plugins: Plugins, defaults: { registryUrl?: string }): Promise<{ converter: Converter; className: string }> {
  const k = `${which}.converter`;
  const own = connProps[k];
  const className = own ?? workerProps[k] ?? 'org.apache.kafka.connect.json.JsonConverter';
  const props = subProps(own ? connProps : workerProps, `${k}.`);
  const d = plugins.resolve(className, ['converter']);
  if (!d) throw new Error(`Invalid value ${className} for configuration ${k}: Class ${className} could not be found.`);
  if (defaults.registryUrl && props['schema.registry.url'] === undefined) props['schema.registry.url'] = defaults.registryUrl;
  const converter = new (d.cls as new () => Converter)();
  await converter.configure({ ...props, 'converter.type': which }, which === 'key');
  return { converter, className: d.className };
}
