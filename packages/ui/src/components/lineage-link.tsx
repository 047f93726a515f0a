import { Link } from 'react-router';

/** The lineage graph around an object, from its page. */
export function LineageLink({ kind, objectKey, children = 'Lineage' }: { kind: string; objectKey: string; children?: string }) {
  return <Link className="lineage-link" to={`/lineage?kind=${encodeURIComponent(kind)}&key=${encodeURIComponent(objectKey)}`}>{children}</Link>;
}
