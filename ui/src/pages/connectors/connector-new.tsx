// Create a connector from a form generated from the plugin's config definition
// (PUT /connector-plugins/{p}/config/validate), with the errors of each field as the
// worker words them: a field is checked when it is left and on submit, never before
// it was touched; the name's error is POST /connectors' own.
import { useEffect, useMemo, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type ValidateResult } from '../../api/client.ts';
import { keys, useConnectStatus, usePlugins } from '../../api/queries.ts';
import { ErrorBox, Loading, QueryView } from '../../components/status.tsx';
import { ServiceGate } from '../../components/service-gate.tsx';
import { Crumbs } from '../../components/bits.tsx';
import { routes } from '../../routes.ts';

/** Groups every connector gets from Connect itself (Kafka's names). */
const GENERIC_GROUPS = new Set(['Common', 'Transforms', 'Predicates', 'Error Handling', 'Exactly Once Support', 'Offsets Topic', 'Topic Creation']);
const SKIP = new Set(['connector.class', 'name']);

/** A REST error's message (the API client throws Errors carrying the worker's text). */
const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

function ConfigForm({ plugin }: { plugin: string }) {
  const nav = useNavigate(); const qc = useQueryClient();
  const [name, setName] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [result, setResult] = useState<ValidateResult | null>(null);
  // Errors show for a field once it was left (blur) or the form submitted: no red before typing.
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [nameError, setNameError] = useState<string | null>(null);
  const config = () => {
    const c: Record<string, string> = { 'connector.class': plugin, name };
    for (const [k, v] of Object.entries(values)) if (v !== '') c[k] = v;
    return c;
  };
  const validate = useMutation({ mutationFn: () => api.connect.validate(plugin, config()), onSuccess: setResult });
  // The connector's name is the REST API's to check (POST /connectors), so its message is the API's own.
  const settingErrors = (r: ValidateResult) => r.configs.filter((c) => c.definition.name !== 'name').reduce((n, c) => n + (c.value.errors?.length ?? 0), 0);
  const create = useMutation({
    mutationFn: async () => {
      setSubmitted(true);
      setNameError(null);
      const r = await api.connect.validate(plugin, config());
      setResult(r);
      if (settingErrors(r) > 0) return null;
      try {
        return await api.connect.create(name, config());
      } catch (e) {
        if (/Connector name/i.test(messageOf(e))) { setNameError(messageOf(e)); return null; }
        throw e;
      }
    },
    onSuccess: (c) => { if (c) { void qc.invalidateQueries({ queryKey: keys.connectors }); nav(routes.connector(c.name)); } },
  });
  // A field left is checked with its new value; its errors show once that answer is in
  // (not from an older answer: that would flash a stale error and move the buttons
  // under the pointer). Leaving it for a button of the form checks nothing: the button does.
  const leave = (field: string, next: EventTarget | null) => {
    if (next instanceof HTMLElement && next.closest('.actions')) return;
    validate.mutateAsync().then(() => setTouched((prev) => (prev.has(field) ? prev : new Set(prev).add(field)))).catch(() => undefined);
  };
  const shown = (field: string) => submitted || touched.has(field);
  // First validate with no settings: it returns every definition with defaults.
  useEffect(() => { setResult(null); setValues({}); setTouched(new Set()); setSubmitted(false); validate.mutate(); /* eslint-disable-next-line react-hooks/exhaustive-deps */ }, [plugin]);
  const groups = useMemo(() => {
    const g = new Map<string, ValidateResult['configs']>();
    for (const c of result?.configs ?? []) {
      if (SKIP.has(c.definition.name) || c.value.visible === false) continue;
      const k = c.definition.group || 'Settings';
      g.set(k, [...(g.get(k) ?? []), c]);
    }
    for (const list of g.values()) list.sort((a, b) => a.definition.order - b.definition.order);
    // The plugin's own settings first; Connect's generic groups after them, folded
    // away unless one of their fields has an error or a value.
    return [...g].sort(([a], [b]) => Number(GENERIC_GROUPS.has(a)) - Number(GENERIC_GROUPS.has(b)));
  }, [result]);
  const nameErrors = nameError ? [nameError] : [];
  const visibleErrorCount = result ? result.configs.filter((c) => c.definition.name !== 'name' && shown(c.definition.name)).reduce((n, c) => n + (c.value.errors?.length ?? 0), 0) : 0;
  if (!result && validate.isPending) return <Loading what={`the settings of ${plugin}`} />;
  if (!result && validate.error) return <ErrorBox what={`load the settings of ${plugin}`} error={validate.error} />;
  return (
    <form className="stack panel" onSubmit={(e) => { e.preventDefault(); create.mutate(); }} aria-label="Connector settings" noValidate>
      <div className="field">
        <label htmlFor="c-name">Name</label>
        <input id="c-name" required value={name} onChange={(e) => { setName(e.target.value); setNameError(null); }} aria-invalid={nameErrors.length > 0} aria-describedby="c-name-err" />
        {nameErrors.length > 0 && <span id="c-name-err" className="error">{nameErrors.join(' ')}</span>}
      </div>
      {groups.map(([group, defs]) => {
        const body = (
          <div className="stack">
            {defs.map(({ definition: d, value: v }) => {
              const id = `cf-${d.name}`;
              const errors = shown(d.name) ? v.errors ?? [] : [];
              const cur = values[d.name] ?? '';
              const set = (x: string) => setValues({ ...values, [d.name]: x });
              const onBlur = (e: React.FocusEvent) => leave(d.name, e.relatedTarget);
              const described = `${id}-help${errors.length ? ` ${id}-err` : ''}`;
              const common = { id, 'aria-invalid': errors.length > 0, 'aria-describedby': described, onBlur };
              return (
                <div className="field" key={d.name}>
                  <label htmlFor={id}>{d.display_name || d.name}{d.required && <span aria-hidden="true"> *</span>}</label>
                  {d.type === 'BOOLEAN' ? (
                    <select {...common} value={cur} onChange={(e) => set(e.target.value)}>
                      <option value="">Default ({d.default_value ?? 'none'})</option><option value="true">true</option><option value="false">false</option>
                    </select>
                  ) : v.recommended_values?.length ? (
                    <select {...common} value={cur} onChange={(e) => set(e.target.value)}>
                      <option value="">{d.default_value ? `Default (${d.default_value})` : 'Choose…'}</option>
                      {v.recommended_values.map((r) => <option key={r}>{r}</option>)}
                    </select>
                  ) : (
                    <input {...common} type={d.type === 'PASSWORD' ? 'password' : 'text'} inputMode={['INT', 'LONG', 'SHORT'].includes(d.type) ? 'numeric' : d.type === 'DOUBLE' ? 'decimal' : undefined}
                      required={d.required} value={cur} placeholder={d.default_value ?? ''} onChange={(e) => set(e.target.value)} />
                  )}
                  <span id={`${id}-help`} className="help"><code>{d.name}</code> · {d.type.toLowerCase()}{d.documentation ? ` — ${d.documentation}` : ''}</span>
                  {errors.length > 0 && <span id={`${id}-err`} className="error">{errors.join(' ')}</span>}
                </div>
              );
            })}
          </div>
        );
        if (!GENERIC_GROUPS.has(group)) return <fieldset key={group}><legend>{group}</legend>{body}</fieldset>;
        const open = defs.some(({ definition: d, value: v }) => (shown(d.name) && (v.errors?.length ?? 0) > 0) || !!values[d.name]);
        return (
          <details key={group} className="group" open={open || undefined}>
            <summary>{group} <span className="muted">({defs.length} setting{defs.length === 1 ? '' : 's'})</span></summary>
            {body}
          </details>
        );
      })}
      {visibleErrorCount > 0 && <div className="alert" role="alert"><strong>{visibleErrorCount} setting(s) need attention</strong>The errors are shown next to each field.</div>}
      {(validate.error || create.error) && <ErrorBox what="create the connector" error={validate.error ?? create.error} />}
      <div className="actions">
        <button type="button" onClick={() => { setSubmitted(true); validate.mutate(); }} disabled={validate.isPending}>Validate</button>
        <button className="primary" type="submit" disabled={create.isPending}>{create.isPending ? 'Creating…' : 'Create connector'}</button>
      </div>
    </form>
  );
}

export function ConnectorNew() {
  const status = useConnectStatus();
  const [sp, setSp] = useSearchParams();
  const plugin = sp.get('plugin') ?? '';
  const plugins = usePlugins(!!status.data?.reachable);
  return (
    <>
      <Crumbs items={[{ to: routes.connectors(), label: 'Connectors' }, { label: 'Create connector' }]} />
      <h1>Create connector</h1>
      <ServiceGate name="Kafka Connect" q={status}>
        <QueryView q={plugins} what="connector plugins">
          {(ps) => (
            <div className="field" style={{ maxWidth: 520, marginBottom: 16 }}>
              <label htmlFor="c-plugin">Connector plugin</label>
              <select id="c-plugin" value={plugin} onChange={(e) => setSp(e.target.value ? { plugin: e.target.value } : {})}>
                <option value="">Choose a plugin…</option>
                {ps.map((p) => <option key={p.class} value={p.class}>{p.class} ({p.type}{p.version ? ` ${p.version}` : ''})</option>)}
              </select>
            </div>
          )}
        </QueryView>
        {plugin && <ConfigForm key={plugin} plugin={plugin} />}
      </ServiceGate>
    </>
  );
}
