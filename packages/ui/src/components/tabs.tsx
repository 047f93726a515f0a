import { useSearchParams } from 'react-router';

/** Tabs whose choice lives in the URL (`?tab=`); the first is the default and leaves the URL clean. */
export function useTab<T extends string>(tabs: readonly { id: T; label: string }[]): [T, (id: T) => void] {
  const [params, setParams] = useSearchParams();
  const current = (tabs.find((t) => t.id === params.get('tab'))?.id ?? tabs[0]!.id) as T;
  const choose = (id: T) => {
    const next = new URLSearchParams(params);
    if (id === tabs[0]!.id) next.delete('tab');
    else next.set('tab', id);
    setParams(next, { replace: true });
  };
  return [current, choose];
}

export function Tabs<T extends string>({ tabs, current, onChoose }: { tabs: readonly { id: T; label: string }[]; current: T; onChoose(id: T): void }) {
  return (
    <div className="tabs" role="tablist">
      {tabs.map((t) => (
        <button key={t.id} type="button" role="tab" aria-selected={current === t.id} className={current === t.id ? 'tab active' : 'tab'} onClick={() => onChoose(t.id)}>
          {t.label}
        </button>
      ))}
    </div>
  );
}

/** Sets or clears one search parameter, keeping the others. */
export function useParam(key: string): [string | null, (value: string | null) => void] {
  const [params, setParams] = useSearchParams();
  return [params.get(key), (value) => {
    const next = new URLSearchParams(params);
    if (value === null || value === '') next.delete(key);
    else next.set(key, value);
    setParams(next, { replace: true });
  }];
}
