// The herder as the REST API sees it: configs come back with PASSWORD-type fields as
// `[hidden]` (placeholders such as ${file:...} stay visible: they are no secret), and a
// config PUT back with `[hidden]` keeps the stored password, so GET→edit→PUT round-trips.
import type { ConfigDef, Connector, Props } from '../../plugins/sdk/index.ts';
import type { Herder, ConnectorInfo } from '../runtime/herder.ts';
import type { Plugins } from '../runtime/plugins.ts';
import { hidePasswords, restoreHidden } from '../runtime/config-providers.ts';

function defOf(plugins: Plugins, cls: string | undefined): ConfigDef | undefined {
  if (!cls) return undefined;
  const d = plugins.resolve(cls, ['source', 'sink']);
  if (!d) return undefined;
  try { return (new (d.cls as new () => Connector)()).config?.(); } catch { return undefined; }
}

const views = new WeakMap<Herder, Herder>();

export function passwordView(herder: Herder, plugins: Plugins): Herder {
  let v = views.get(herder);
  if (v) return v;
  const hideInfo = (i: ConnectorInfo): ConnectorInfo => ({ ...i, config: hidePasswords(i.config, defOf(plugins, i.config['connector.class'])) });
  v = new Proxy(herder, {
    get(target, prop) {
      switch (prop) {
        case 'info': return (name: string) => hideInfo(target.info(name));
        case 'config': return (name: string) => { const c = target.config(name); return hidePasswords(c, defOf(plugins, c['connector.class'])); };
        case 'taskConfigs': return (name: string) => {
          const def = defOf(plugins, target.config(name)['connector.class']);
          return target.taskConfigs(name).map((t) => ({ ...t, config: hidePasswords(t.config, def) }));
        };
        case 'putConnectorConfig': return async (name: string, config: Props, opts: Parameters<Herder['putConnectorConfig']>[2]) => {
          let current: Props | undefined;
          try { current = target.config(name); } catch { current = undefined; }
          const next = restoreHidden(config, current, defOf(plugins, config?.['connector.class'] ?? current?.['connector.class']));
          const r = await target.putConnectorConfig(name, next, opts);
          return { ...r, info: hideInfo(r.info) };
        };
        default: {
          const value = Reflect.get(target, prop);
          return typeof value === 'function' ? value.bind(target) : value;
        }
      }
    },
  });
  views.set(herder, v);
  return v;
}
