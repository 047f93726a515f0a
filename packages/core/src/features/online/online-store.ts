/** One view's row for one entity, as written by materialization or push. */
export interface OnlineWrite {
  /** The entity key: join key values in the view's order, encoded by `encodeEntityKey`. */
  key: string;
  /** Epoch ms; microseconds are the fraction (see `micro-time.ts`). */
  eventTs: number;
  createdTs: number | null;
  /** The feature values as JSON object text (`encodeValues`), kept as is. */
  valuesJson: string;
}

/**
 * What the online store holds for one view and entity. Values stay the JSON text they were written
 * as: in-process reads parse it, HTTP responses copy each value's text without parsing it.
 */
export interface OnlineRecord { eventTs: number; createdTs: number | null; valuesJson: string }

export interface OnlineReadRequest {
  view: string;
  /** Join key names of the view (views with the same ones share storage per entity, e.g. one Redis hash). */
  keyspace: string;
  keys: string[];
}

/**
 * Latest feature values per view and entity. Writes never replace a newer row with an older one:
 * a row wins when its (event time, created time) is greater than or equal to the stored one's.
 */
export interface OnlineStore {
  write(view: string, keyspace: string, rows: OnlineWrite[]): Promise<void>;
  /** Reads every request in one round trip; `result[i][j]` answers `requests[i].keys[j]`. */
  read(requests: OnlineReadRequest[]): Promise<Array<Array<OnlineRecord | null>>>;
  /** Drops everything stored for a view (its definition was removed or retyped). */
  deleteView(view: string, keyspace: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Encodes join key values as a JSON array: typed and delimited, so (1, 23) and (12, 3), or 1 and
 * "1", never share a key. An int64 beyond 2^53 (a BigInt) is written as its digits.
 */
export const encodeEntityKey = (values: unknown[]): string => {
  try {
    return JSON.stringify(values);
  } catch (e) {
    if (!values.some((v) => typeof v === 'bigint')) throw e;
    return `[${values.map(scalarJson).join(',')}]`;
  }
};

/**
 * Feature values as stored online: JSON object text (numbers as JavaScript writes them; NaN as
 * null). An int64 beyond 2^53 (a BigInt) is written as its exact digits, a JSON number.
 */
export const encodeValues = (values: Record<string, unknown>): string => {
  try {
    return JSON.stringify(values);
  } catch (e) {
    // Rare (an int64 beyond 2^53), so the common row keeps the native JSON.stringify.
    if (!Object.values(values).some((v) => typeof v === 'bigint')) throw e;
    return `{${Object.entries(values).map(([k, v]) => `${JSON.stringify(k)}:${scalarJson(v)}`).join(',')}}`;
  }
};

const scalarJson = (v: unknown): string => (typeof v === 'bigint' ? v.toString() : (JSON.stringify(v) ?? 'null'));

/** Whether (e1, c1) is at least as new as (e2, c2); a missing created time is older than any. */
export function isNewerOrSame(e1: number, c1: number | null, e2: number, c2: number | null): boolean {
  return e1 > e2 || (e1 === e2 && (c1 ?? -Infinity) >= (c2 ?? -Infinity));
}
