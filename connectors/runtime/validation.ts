// PUT /connector-plugins/{p}/config/validate and config checks on create/update:
// the connector's ConfigDef merged with the common keys, each transform's and
// predicate's keys (prefixed, in their own groups), converter classes, and the
// connector's own validate(). Answers Kafka's ConfigInfos shape.
import type { ConfigDef, ConfigKey, ConfigValue, Connector, Props, SourceConnector } from '../../plugins/sdk/index.ts';
import { sinkCommonConfig, sourceCommonConfig } from '../config.ts';
import type { Plugins, PluginDesc } from './plugins.ts';
import { listOf, subProps } from './transform-chain.ts';

export interface ConfigKeyInfo {
  name: string; type: string; required: boolean; default_value: string | null; importance: string; documentation: string;
  group: string | null; order: number; width: string; display_name: string; dependents: string[];
}
export interface ConfigValueInfo { name: string; value: string | null; recommended_values: string[]; errors: string[]; visible: boolean }
export interface ConfigInfos { name: string; error_count: number; groups: string[]; configs: { definition: ConfigKeyInfo; value: ConfigValueInfo }[] }

export function asString(v: unknown, type?: string): string | null {
  if (v === null || v === undefined) return null;
  if (type === 'PASSWORD') return '[hidden]';
  if (Array.isArray(v)) return v.map(String).join(',');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function keyInfo(k: ConfigKey, nameOverride?: string, groupOverride?: string, orderOverride?: number): ConfigKeyInfo {
  return {
    name: nameOverride ?? k.name,
    type: k.type,
    required: k.default === undefined,
    default_value: k.default === undefined ? null : asString(k.default, k.type === 'PASSWORD' ? 'STRING' : k.type),
    importance: k.importance ?? 'MEDIUM',
    documentation: documentationOf(k),
    group: groupOverride ?? k.group ?? null,
    order: orderOverride ?? k.orderInGroup ?? -1,
    width: k.width ?? 'NONE',
    display_name: k.displayName ?? k.name,
    dependents: [...(k.dependents ?? [])],
  };
}

/** The key's documentation, followed by what its validator accepts (as Kafka's generated config docs add "Valid Values"). */
export function documentationOf(k: ConfigKey): string {
  const doc = k.documentation ?? '';
  const valid = k.validator?.describe;
  if (!valid) return doc;
  return `${doc}${doc && !/[.!?]$/.test(doc.trim()) ? '.' : ''}${doc ? ' ' : ''}Valid values: ${valid}.`;
}

function valueInfo(def: ConfigDef, v: ConfigValue, name?: string, raw?: string): ConfigValueInfo {
  const k = def.keys.get(v.name)!;
  const value = raw !== undefined ? (k.type === 'PASSWORD' ? '[hidden]' : raw) : asString(v.value, k.type);
  return { name: name ?? v.name, value, recommended_values: v.recommendedValues.map((x) => String(x)), errors: v.errors, visible: v.visible };
}

export function commonDefFor(type: 'source' | 'sink'): ConfigDef {
  return type === 'sink' ? sinkCommonConfig() : sourceCommonConfig();
}

export interface ValidationOptions {
  /** The worker runs with exactly.once.source.support=enabled: check exactly.once.support / transaction.boundary (as Kafka does only then). */
  exactlyOnceSource?: boolean;
}

export async function validateConnectorConfig(plugins: Plugins, desc: PluginDesc, props: Props, opts: ValidationOptions = {}): Promise<ConfigInfos> {
  const type = desc.type as 'source' | 'sink';
  const common = commonDefFor(type);
  const out: ConfigInfos['configs'] = [];
  const groups: string[] = [];
  const addGroup = (g: string | null | undefined) => { if (g && !groups.includes(g)) groups.push(g); };

  const addDef = (def: ConfigDef, given: Props, prefix = '', group?: string) => {
    const values = def.validateAll(given);
    for (const v of values) {
      const k = def.keys.get(v.name)!;
      addGroup(group ?? k.group);
      out.push({ definition: keyInfo(k, prefix + k.name, group), value: valueInfo(def, v, prefix + k.name, given[v.name]) });
    }
  };

  addDef(common, props);
  // cross-key rules of the common keys
  const find = (n: string) => out.find((c) => c.value.name === n)!.value;
  if (type === 'sink') {
    const topics = listOf(props.topics);
    const regex = props['topics.regex'] ?? '';
    if (topics.length && regex) { find('topics').errors.push('Must configure one of topics or topics.regex, not both'); find('topics.regex').errors.push('Must configure one of topics or topics.regex, not both'); }
    else if (!topics.length && !regex) { find('topics').errors.push('Must configure one of topics or topics.regex'); find('topics.regex').errors.push('Must configure one of topics or topics.regex'); }
    if (regex) { try { new RegExp(regex); } catch (e) { find('topics.regex').errors.push(`Invalid value ${regex} for configuration topics.regex: ${(e as Error).message}`); } }
    const dlq = props['errors.deadletterqueue.topic.name'];
    if (dlq && topics.includes(dlq)) find('errors.deadletterqueue.topic.name').errors.push(`The DLQ topic '${dlq}' may not be included in the list of topics ('topics=${props.topics}') consumed by the connector`);
  }
  const cls = props['connector.class'];
  if (cls && !plugins.resolve(cls, ['source', 'sink'])) find('connector.class').errors.push(`Failed to find any class that implements Connector and which name matches ${cls}`);
  for (const which of ['key', 'value'] as const) {
    const c = props[`${which}.converter`];
    if (c) {
      const d = plugins.resolve(c, ['converter']);
      if (!d) find(`${which}.converter`).errors.push(`Invalid value ${c} for configuration ${which}.converter: Class ${c} could not be found.`);
      else {
        const inst = new (d.cls as new () => { config?(): ConfigDef })();
        const def = inst.config?.();
        if (def) for (const v of def.validateAll(subProps(props, `${which}.converter.`))) {
          if (v.errors.length && props[`${which}.converter.${v.name}`] !== undefined) find(`${which}.converter`).errors.push(...v.errors.map((e) => `${which}.converter.${v.name}: ${e}`));
        }
      }
    }
  }

  // the connector's own keys
  let connector: Connector | null = null;
  try { connector = new (desc.cls as new () => Connector)(); } catch { /* reported below */ }
  const own = connector?.config();
  if (own) {
    for (const k of own.keys.values()) if (common.keys.has(k.name)) own.keys.delete(k.name);
    addDef(own, props);
  }

  // exactly-once sources (KIP-618): what the connector declares, per field, as Kafka's DistributedHerder
  if (type === 'source' && opts.exactlyOnceSource && connector) {
    const src = connector as SourceConnector;
    if (props['exactly.once.support'] === 'required') {
      const f = find('exactly.once.support');
      try {
        const s = src.exactlyOnceSupport ? await src.exactlyOnceSupport({ ...props }) : null;
        if (s === null || s === undefined) f.errors.push('The connector does not implement the API required for preflight validation of exactly-once source support. Please consult the documentation for the connector to determine whether it supports exactly-once semantics, and then consider reconfiguring the connector to use the value "requested" for this property (which will disable this preflight check and allow the connector to be created).');
        else if (s !== 'SUPPORTED') f.errors.push('The connector does not support exactly-once semantics with the provided configuration.');
      } catch (e) {
        f.errors.push(`An unexpected error occurred during validation: ${(e as Error).message}`);
      }
    }
    if (props['transaction.boundary'] === 'connector') {
      const f = find('transaction.boundary');
      try {
        const s = src.canDefineTransactionBoundaries ? await src.canDefineTransactionBoundaries({ ...props }) : 'UNSUPPORTED';
        if (s !== 'SUPPORTED') f.errors.push('The connector does not support connector-defined transaction boundaries with the given configuration. Please reconfigure it to use a different transaction boundary definition.');
      } catch (e) {
        f.errors.push(`An unexpected error occurred during validation: ${(e as Error).message}`);
      }
    }
  }

  // transforms and predicates: their keys, prefixed, each alias its own group
  for (const [kind, listKey, types] of [['Transforms', 'transforms', ['transformation']], ['Predicates', 'predicates', ['predicate']]] as const) {
    for (const alias of listOf(props[listKey])) {
      const prefix = `${listKey}.${alias}.`;
      const group = `${kind}: ${alias}`;
      addGroup(group);
      const typeName = props[`${prefix}type`];
      const typeErrors: string[] = [];
      let def: ConfigDef | undefined;
      if (!typeName) typeErrors.push(`Missing required configuration "${prefix}type" which has no default value.`);
      else {
        const d = plugins.resolve(typeName, [...types]);
        if (!d) typeErrors.push(`Invalid value ${typeName} for configuration ${prefix}type: Class ${typeName} could not be found.`);
        else def = new (d.cls as new () => { config(): ConfigDef })().config();
      }
      out.push({
        definition: { name: `${prefix}type`, type: 'CLASS', required: true, default_value: null, importance: 'HIGH', documentation: `Class for the '${alias}' ${listKey === 'transforms' ? 'transformation' : 'predicate'}.`, group, order: 0, width: 'LONG', display_name: `${kind === 'Transforms' ? 'Transformation' : 'Predicate'} type for ${alias}`, dependents: [] },
        value: { name: `${prefix}type`, value: typeName ?? null, recommended_values: plugins.list().filter((p) => (types as readonly string[]).includes(p.type)).map((p) => p.className), errors: typeErrors, visible: true },
      });
      if (listKey === 'transforms') {
        const pred = props[`${prefix}predicate`];
        const perr: string[] = [];
        if (pred && !listOf(props.predicates).includes(pred)) perr.push(`Invalid value ${pred} for configuration ${prefix}predicate: no predicate with alias ${pred} is listed in "predicates"`);
        out.push({ definition: { name: `${prefix}predicate`, type: 'STRING', required: false, default_value: null, importance: 'MEDIUM', documentation: 'The alias of a predicate used to determine whether to apply this transformation.', group, order: 1, width: 'LONG', display_name: 'Predicate', dependents: [] }, value: { name: `${prefix}predicate`, value: pred ?? null, recommended_values: [], errors: perr, visible: true } });
        out.push({ definition: { name: `${prefix}negate`, type: 'BOOLEAN', required: false, default_value: 'false', importance: 'MEDIUM', documentation: 'Whether the configured predicate should be negated.', group, order: 2, width: 'SHORT', display_name: 'Negate', dependents: [] }, value: { name: `${prefix}negate`, value: props[`${prefix}negate`] ?? 'false', recommended_values: [], errors: [], visible: true } });
      }
      if (def) addDef(def, subProps(props, prefix), prefix, group);
    }
  }

  // the connector's own extra checks (e.g. try to connect), only when the keys parse
  if (connector?.validate && out.every((c) => !c.value.errors.length)) {
    try {
      const extra = await connector.validate(props);
      for (const [k, errs] of Object.entries(extra ?? {})) {
        const c = out.find((x) => x.value.name === k);
        if (c) c.value.errors.push(...errs);
        else out.push({ definition: { name: k, type: 'STRING', required: false, default_value: null, importance: 'MEDIUM', documentation: '', group: null, order: -1, width: 'NONE', display_name: k, dependents: [] }, value: { name: k, value: props[k] ?? null, recommended_values: [], errors: errs, visible: true } });
      }
    } catch (e) {
      find('connector.class').errors.push(`Connector validation failed: ${(e as Error).message}`);
    }
  }
  return { name: desc.className, error_count: out.reduce((n, c) => n + c.value.errors.length, 0), groups, configs: out };
}

/** The 400 message Kafka gives when creating/updating with an invalid config. */
export function invalidConfigMessage(infos: ConfigInfos): string {
  const errs = infos.configs.flatMap((c) => c.value.errors);
  return `Connector configuration is invalid and contains the following ${errs.length} error(s):\n${errs.join('\n')}\nYou can also find the above list of errors at the endpoint \`/connector-plugins/{connectorType}/config/validate\``;
}
