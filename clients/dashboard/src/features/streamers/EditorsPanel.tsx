import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation } from 'urql';
import { Field } from '../../components/Field';
import { problemsByField } from '../../components/problems';
import { AddEditor, RemoveEditor } from './streamer.documents';

interface Editor {
  twitchUserId: string;
  login: string;
}

/** The owner adds editors by Twitch login and removes them; editors only see the list. */
export function EditorsPanel({ streamerId, editors, canManage }: { streamerId: string; editors: readonly Editor[]; canManage: boolean }) {
  const { t } = useTranslation();
  const [adding, addEditor] = useMutation(AddEditor);
  const [, removeEditor] = useMutation(RemoveEditor);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const login = String(new FormData(form).get('login') ?? '').trim();
    const result = (await addEditor({ streamerId, login })).data?.addEditor;
    if (result?.__typename === 'Streamer') {
      setErrors({});
      form.reset();
    } else if (result?.__typename === 'ValidationError') setErrors(problemsByField(result.problems, 'login'));
    else if (result && 'message' in result) setErrors({ login: result.message });
  };
  return (
    <div className="panel">
      <h2>{t('editors.title')}</h2>
      {editors.length === 0 && <p className="muted">{t('editors.none')}</p>}
      <ul className="list">
        {editors.map((editor) => (
          <li key={editor.twitchUserId} data-testid="editor-row">
            <span>{editor.login}</span>
            {canManage && (
              <button type="button" onClick={() => void removeEditor({ streamerId, twitchUserId: editor.twitchUserId })}>
                {t('editors.remove')}
              </button>
            )}
          </li>
        ))}
      </ul>
      {canManage ? (
        <form data-testid="editor-form" onSubmit={(event) => void submit(event)} noValidate className="row">
          <Field label={t('editors.login')} name="login" required autoComplete="off" error={errors.login} />
          <button type="submit" disabled={adding.fetching}>{t('editors.add')}</button>
        </form>
      ) : (
        <p className="muted">{t('editors.ownerOnly')}</p>
      )}
    </div>
  );
}
