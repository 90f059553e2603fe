import { useId, type InputHTMLAttributes } from 'react';

/** A labelled input with the server's problem for it, if any (aria-invalid, message below). */
export function Field({ label, error, ...input }: InputHTMLAttributes<HTMLInputElement> & { label: string; error?: string | undefined }) {
  const id = useId();
  return (
    <label className="field" htmlFor={input.id ?? id}>
      <span>{label}</span>
      <input id={id} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined} {...input} />
      {error && <span className="field-error" id={`${id}-error`} data-field-error={input.name} role="alert">{error}</span>}
    </label>
  );
}
