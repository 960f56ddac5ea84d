// Register a schema: check compatibility first, show why when incompatible, then register.
import { useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type CompatibilityResult } from '../../api/client.ts';
import { keys, useRegistryStatus } from '../../api/queries.ts';
import { ErrorBox, Notice } from '../../components/status.tsx';
import { ServiceGate } from '../../components/service-gate.tsx';
import { Crumbs } from '../../components/bits.tsx';
import { routes } from '../../routes.ts';

const EXAMPLES: Record<string, string> = {
  AVRO: '{\n  "type": "record",\n  "name": "Order",\n  "fields": [\n    { "name": "id", "type": "string" }\n  ]\n}',
  JSON: '{\n  "type": "object",\n  "properties": { "id": { "type": "string" } }\n}',
  PROTOBUF: 'syntax = "proto3";\n\nmessage Order {\n  string id = 1;\n}',
};

export function SchemaNew() {
  const [sp] = useSearchParams();
  const status = useRegistryStatus();
  const nav = useNavigate(); const qc = useQueryClient();
  const [subject, setSubject] = useState(sp.get('subject') ?? '');
  const [type, setType] = useState('AVRO');
  const [schema, setSchema] = useState(EXAMPLES.AVRO);
  const [checked, setChecked] = useState<CompatibilityResult | null>(null);
  const check = useMutation({
    // A subject with no versions yet is compatible by definition (404 from the registry).
    mutationFn: () => api.registry.check(subject, { schema, schemaType: type }).catch((e) => { if (e.status === 404) return { is_compatible: true, messages: ['New subject: nothing to be compatible with.'] }; throw e; }),
    onSuccess: setChecked,
  });
  const register = useMutation({
    mutationFn: () => api.registry.register(subject, { schema, schemaType: type }),
    onSuccess: () => { void qc.invalidateQueries({ queryKey: keys.subjects }); void qc.invalidateQueries({ queryKey: keys.versions(subject) }); nav(routes.subject(subject)); },
  });
  const edit = (f: () => void) => { f(); setChecked(null); check.reset(); register.reset(); };
  return (
    <>
      <Crumbs items={[{ to: routes.schemas(), label: 'Schemas' }, { label: 'Register schema' }]} />
      <h1>Register schema</h1>
      <ServiceGate name="Schema registry" q={status}>
        <form className="stack panel" onSubmit={(e) => { e.preventDefault(); if (checked?.is_compatible) register.mutate(); else check.mutate(); }} aria-label="Register schema">
          <div className="field"><label htmlFor="s-subject">Subject</label><input id="s-subject" required value={subject} onChange={(e) => edit(() => setSubject(e.target.value))} placeholder="orders-value" /></div>
          <div className="field">
            <label htmlFor="s-type">Schema type</label>
            <select id="s-type" value={type} onChange={(e) => edit(() => { const t = e.target.value; if (schema === EXAMPLES[type]) setSchema(EXAMPLES[t]); setType(t); })}>
              <option value="AVRO">Avro</option><option value="JSON">JSON Schema</option><option value="PROTOBUF">Protobuf</option>
            </select>
          </div>
          <div className="field"><label htmlFor="s-schema">Schema</label><textarea id="s-schema" rows={14} value={schema} onChange={(e) => edit(() => setSchema(e.target.value))} spellCheck={false} /></div>
          {check.error && <ErrorBox what="check compatibility" error={check.error} />}
          {checked && (checked.is_compatible
            ? <Notice kind="ok">Compatible with the existing versions of {subject}.{checked.messages?.length ? ` ${checked.messages.join(' ')}` : ''}</Notice>
            : (
              <div className="alert" role="alert">
                <strong>Not compatible with the existing versions of {subject}</strong>
                <ul>{(checked.messages?.length ? checked.messages : ['The registry gave no reason.']).map((m, i) => <li key={i}>{m}</li>)}</ul>
              </div>
            ))}
          {register.error && <ErrorBox what={`register the schema under "${subject}"`} error={register.error} />}
          <div className="actions">
            <button type="button" onClick={() => check.mutate()} disabled={!subject || check.isPending}>Check compatibility</button>
            <button className="primary" type="button" onClick={() => register.mutate()} disabled={!checked?.is_compatible || register.isPending}>Register</button>
          </div>
        </form>
      </ServiceGate>
    </>
  );
}
