// The parsed form of a search filter and an order_by list. Both the SQL compiler and the in-memory
// evaluator work from these types, never from the text, so they cannot disagree about the grammar.

export type SearchTarget = 'runs' | 'experiments';

/** What a comparison's key names: `metrics.acc` is a metric, `run_name` an attribute, and so on. */
export type Entity = 'metric' | 'param' | 'tag' | 'attribute' | 'dataset';

export type NumericOperator = '=' | '!=' | '>' | '>=' | '<' | '<=';
export type StringOperator = '=' | '!=' | 'LIKE' | 'ILIKE';
export type ListOperator = 'IN' | 'NOT IN';

interface ComparisonBase {
  kind: 'comparison';
  entity: Entity;
  /**
   * The metric, param or tag key; for attributes and datasets the canonical field name
   * (`start_time` for `created`, `run_name` for `attributes.run_name`, `context` for `datasets.context`).
   */
  key: string;
}

/** A metric or a time attribute compared with a number. */
export interface NumericComparison extends ComparisonBase {
  valueType: 'number';
  op: NumericOperator;
  value: number;
}

/** A param, tag, string attribute or dataset field compared with a string. */
export interface StringComparison extends ComparisonBase {
  valueType: 'string';
  op: StringOperator;
  value: string;
}

export interface ListComparison extends ComparisonBase {
  valueType: 'list';
  op: ListOperator;
  /** Never empty. */
  value: string[];
}

export type Comparison = NumericComparison | StringComparison | ListComparison;

/** AND binds tighter than OR; both have at least two children once parsed. */
export interface LogicalNode {
  kind: 'and' | 'or';
  children: FilterNode[];
}

export type FilterNode = Comparison | LogicalNode;

/** One sort key. Attribute keys are canonical (`start_time`, `run_id`, `run_name`, `name`, …). */
export interface OrderTerm {
  entity: 'metric' | 'param' | 'tag' | 'attribute';
  key: string;
  ascending: boolean;
}
