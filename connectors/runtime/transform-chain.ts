// The transformation chain of a connector: `transforms=a,b` with
// `transforms.a.type`, `transforms.a.<key>`, `transforms.a.predicate`,
// `transforms.a.negate`, and `predicates=p` with `predicates.p.type`, `predicates.p.<key>`.
import type { ConnectRecord, Predicate, Props, Transformation } from '../../plugins/sdk/index.ts';
import type { Plugins } from './plugins.ts';

export interface ChainStep { alias: string; className: string; transform: Transformation; predicate: Predicate | null; negate: boolean }

export function subProps(props: Props, prefix: string): Props {
  const out: Props = {};
  for (const [k, v] of Object.entries(props)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  return out;
}

export const listOf = (v: string | undefined): string[] => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);

export class TransformChain {
  constructor(readonly steps: ChainStep[]) {}

  static build(props: Props, plugins: Plugins): TransformChain {
    const predicates = new Map<string, Predicate>();
    for (const alias of listOf(props.predicates)) {
      const type = props[`predicates.${alias}.type`];
      if (!type) throw new Error(`Missing required configuration "predicates.${alias}.type" which has no default value.`);
      const d = plugins.resolve(type, ['predicate']);
      if (!d) throw new Error(`Invalid value ${type} for configuration predicates.${alias}.type: Class ${type} could not be found.`);
      const p = new (d.cls as new () => Predicate)();
      p.configure(subProps(props, `predicates.${alias}.`));
      predicates.set(alias, p);
    }
    const steps: ChainStep[] = [];
    for (const alias of listOf(props.transforms)) {
      const type = props[`transforms.${alias}.type`];
      if (!type) throw new Error(`Missing required configuration "transforms.${alias}.type" which has no default value.`);
      const d = plugins.resolve(type, ['transformation']);
      if (!d) throw new Error(`Invalid value ${type} for configuration transforms.${alias}.type: Class ${type} could not be found.`);
      const t = new (d.cls as new () => Transformation)();
      const own = subProps(props, `transforms.${alias}.`);
      t.configure(own);
      const pn = own.predicate;
      let predicate: Predicate | null = null;
      if (pn) {
        predicate = predicates.get(pn) ?? null;
        if (!predicate) throw new Error(`Invalid value ${pn} for configuration transforms.${alias}.predicate: no predicate with this alias in "predicates"`);
      }
      steps.push({ alias, className: d.className, transform: t, predicate, negate: own.negate === 'true' });
    }
    return new TransformChain(steps);
  }

  close(): void {
    for (const s of this.steps) { try { s.transform.close?.(); } catch { /* closing */ } }
  }
}

/** Applies one step, honouring its predicate. */
export function applyStep<R extends ConnectRecord>(s: ChainStep, r: R): R | null {
  if (s.predicate) {
    const hit = s.predicate.test(r);
    if (hit === s.negate) return r;
  }
  return s.transform.apply(r) as R | null;
}
