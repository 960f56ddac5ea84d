// A confirmation for destructive actions, on the native <dialog> (focus trap and
// Escape come with it). Optionally asks the user to type a name to confirm.
import { useEffect, useRef, useState, type ReactNode } from 'react';

export function ConfirmDialog(props: {
  open: boolean; title: string; children?: ReactNode; confirmLabel: string; typeToConfirm?: string;
  busy?: boolean; onConfirm(): void; onCancel(): void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [typed, setTyped] = useState('');
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (props.open && !d.open) { setTyped(''); d.showModal(); }
    if (!props.open && d.open) d.close();
  }, [props.open]);
  const ok = !props.typeToConfirm || typed === props.typeToConfirm;
  return (
    <dialog ref={ref} aria-labelledby="confirm-title" onCancel={(e) => { e.preventDefault(); props.onCancel(); }}>
      <h2 id="confirm-title" style={{ marginTop: 0 }}>{props.title}</h2>
      <div>{props.children}</div>
      {props.typeToConfirm && (
        <div className="field" style={{ margin: '12px 0' }}>
          <label htmlFor="confirm-input">Type <code>{props.typeToConfirm}</code> to confirm</label>
          <input id="confirm-input" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
        </div>
      )}
      <div className="actions" style={{ justifyContent: 'flex-end', marginTop: 16 }}>
        <button type="button" onClick={props.onCancel}>Cancel</button>
        <button type="button" className="danger solid" disabled={!ok || props.busy} onClick={props.onConfirm}>{props.confirmLabel}</button>
      </div>
    </dialog>
  );
}
