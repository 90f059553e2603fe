import { useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery } from 'urql';
import { Field } from '../../components/Field';
import { problemsByField } from '../../components/problems';
import type { ResultOf } from '../../graphql/graphql';
import { AddItems, ItemFields, ItemsQuery, RemoveItem, UpdateItem } from './item.documents';

type Item = ResultOf<typeof ItemFields>;

/** Reads a whole number field; empty → undefined, anything else goes to the server as typed (it validates). */
function intField(data: FormData, name: string): number | undefined {
  const raw = String(data.get(name) ?? '').trim();
  if (raw === '') return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? Math.trunc(value) : Number.NaN;
}

/** The prize table: add, edit, remove; the server's ValidationError problems at their field. */
export function ItemsPanel({ streamerId }: { streamerId: string }) {
  const { t } = useTranslation();
  // Listed as depending on Item even while empty, so adding the first prize refreshes the table.
  const context = useMemo(() => ({ additionalTypenames: ['Item'] }), []);
  const [{ data }] = useQuery({ query: ItemsQuery, variables: { streamerId }, context });
  const [adding, addItems] = useMutation(AddItems);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [editing, setEditing] = useState<string | null>(null);
  const items = data?.streamer?.items ?? [];

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const fields = new FormData(form);
    const weight = intField(fields, 'weight');
    const stock = intField(fields, 'stock');
    const item = { name: String(fields.get('name') ?? ''), weight: weight ?? Number.NaN, ...(stock === undefined ? {} : { stock }) };
    // NaN is not JSON: send 0 so the server names the field.
    if (Number.isNaN(item.weight)) item.weight = 0;
    if ('stock' in item && Number.isNaN(item.stock)) item.stock = 0;
    const result = (await addItems({ streamerId, items: [item] }, { additionalTypenames: ['Item'] })).data?.addItems;
    if (result?.__typename === 'AddItemsPayload') {
      setErrors({});
      form.reset();
    } else if (result?.__typename === 'ValidationError') setErrors(problemsByField(result.problems, 'name'));
    else if (result && 'message' in result) setErrors({ name: result.message });
  };

  return (
    <div className="panel wide">
      <h2>{t('items.title')}</h2>
      <table className="table">
        <thead>
          <tr>
            <th>{t('items.name')}</th>
            <th>{t('items.weight')}</th>
            <th>{t('items.stock')}</th>
            <th>{t('items.remaining')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {items.map((item) =>
            editing === item.id ? (
              <EditRow key={item.id} item={item} onDone={() => setEditing(null)} />
            ) : (
              <ItemRow key={item.id} item={item} onEdit={() => setEditing(item.id)} />
            ),
          )}
          {items.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">{t('items.none')}</td>
            </tr>
          )}
        </tbody>
      </table>
      <form data-testid="item-form" className="row" noValidate onSubmit={(event) => void submit(event)}>
        <Field label={t('items.name')} name="name" autoComplete="off" error={errors.name} />
        <Field label={t('items.weight')} name="weight" type="number" inputMode="numeric" error={errors.weight} />
        <Field label={t('items.stock')} name="stock" type="number" inputMode="numeric" placeholder="1" error={errors.stock} />
        <button type="submit" className="primary" disabled={adding.fetching}>{t('items.add')}</button>
      </form>
    </div>
  );
}

function ItemRow({ item, onEdit }: { item: Item; onEdit: () => void }) {
  const { t } = useTranslation();
  const [, removeItem] = useMutation(RemoveItem);
  return (
    <tr data-testid="item-row" data-item-id={item.id}>
      <td data-field="name">{item.name}</td>
      <td data-field="weight">{item.weight}</td>
      <td data-field="stock">{item.stock}</td>
      <td data-field="remaining">{item.remaining}</td>
      <td className="actions">
        <button type="button" onClick={onEdit}>{t('items.edit')}</button>
        <button type="button" onClick={() => void removeItem({ id: item.id }, { additionalTypenames: ['Item'] })}>{t('items.remove')}</button>
      </td>
    </tr>
  );
}

function EditRow({ item, onDone }: { item: Item; onDone: () => void }) {
  const { t } = useTranslation();
  const [, updateItem] = useMutation(UpdateItem);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const formId = `edit-${item.id}`;
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const fields = new FormData(event.currentTarget);
    const patch = { name: String(fields.get('name') ?? ''), weight: intField(fields, 'weight') ?? 0, stock: intField(fields, 'stock') ?? 0 };
    const result = (await updateItem({ id: item.id, patch })).data?.updateItem;
    if (result?.__typename === 'Item') onDone();
    else if (result?.__typename === 'ValidationError') setErrors(problemsByField(result.problems, 'name'));
    else if (result && 'message' in result) setErrors({ name: result.message });
  };
  return (
    <tr data-testid="item-row" data-item-id={item.id} className="editing">
      <td colSpan={5}>
        <form id={formId} className="row" noValidate onSubmit={(event) => void submit(event)} data-testid="item-edit-form">
          <Field label={t('items.name')} name="name" defaultValue={item.name} error={errors.name} />
          <Field label={t('items.weight')} name="weight" type="number" defaultValue={item.weight} error={errors.weight} />
          <Field label={t('items.stock')} name="stock" type="number" defaultValue={item.stock} error={errors.stock} />
          <span className="muted">{t('items.remaining')}: {item.remaining}</span>
          <button type="submit" className="primary">{t('items.save')}</button>
          <button type="button" onClick={onDone}>{t('items.cancel')}</button>
        </form>
      </td>
    </tr>
  );
}
