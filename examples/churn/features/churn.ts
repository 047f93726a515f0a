// The churn project's features: one entity, three feature views over the raw Parquet files, an
// on-demand view computed at read time, and the feature service the model trains and scores on.
// `cairn features plan` shows what a change here would do; `cairn features apply` stores it.
import { entity, featureService, featureView, fileSource, onDemandFeatureView } from '@cairn/core';

export const customer = entity({
  name: 'customer', joinKeys: { customer_id: 'int64' }, description: 'A subscriber of the service',
});

// Every source has a created timestamp: rows written later (a late billing correction) win ties
// on event time, and point-in-time training sets can ignore rows written after each label's time.
const timestamps = { timestampField: 'event_timestamp', createdTimestampField: 'created' } as const;

export const customers = fileSource({ name: 'customers', path: 'data/customers.parquet', ...timestamps, description: 'Sign-ups, plan changes and cancellations' });
export const activity = fileSource({ name: 'activity', path: 'data/activity.parquet', ...timestamps, description: 'Weekly usage snapshots' });
export const support = fileSource({ name: 'support', path: 'data/support.parquet', ...timestamps, description: 'Weekly support and billing snapshots, with late corrections' });

export const customerProfile = featureView({
  name: 'customer_profile', entities: [customer], source: customers, ttl: '730d', owner: 'growth', tags: { team: 'growth' },
  schema: { plan: 'string', plan_tier: 'int64', monthly_fee: 'float64', region: 'string', status: 'string' },
  expectations: { features: { plan_tier: { notNull: true, min: 0, max: 2 }, status: { allowed: ['active', 'cancelled'] } } },
});

export const customerActivity = featureView({
  name: 'customer_activity', entities: [customer], source: activity, ttl: '14d', owner: 'growth',
  description: 'Usage in the last week and the last four weeks; older than two weeks counts as unknown',
  schema: { logins_7d: 'int64', logins_28d: 'int64', minutes_7d: 'float64', tenure_weeks: 'int64' },
  expectations: { features: { logins_7d: { notNull: true, min: 0 }, minutes_7d: { min: 0 } } },
});

export const customerSupport = featureView({
  name: 'customer_support', entities: [customer], source: support, ttl: '21d', owner: 'support',
  schema: { support_tickets_30d: 'int64', payment_failures_90d: 'int64' },
  expectations: { features: { support_tickets_30d: { min: 0 }, payment_failures_90d: { min: 0 } } },
});

export const engagement = onDemandFeatureView({
  name: 'engagement',
  sources: { features: ['customer_activity:logins_7d', 'customer_activity:logins_28d', 'customer_profile:monthly_fee'] },
  schema: { login_trend: 'float64', fee_per_login: 'float64' },
  description: "Last week's logins against the four-week average, and what a login costs the customer",
  compute: (r) => ({
    login_trend: r.logins_7d == null || r.logins_28d == null ? null : Number(r.logins_7d) / (Number(r.logins_28d) / 4 + 1),
    fee_per_login: r.monthly_fee == null ? null : Number(r.monthly_fee) / (Number(r.logins_28d ?? 0) + 1),
  }),
});

export const churnFeatures = featureService({
  name: 'churn_features', owner: 'growth', description: 'What the churn model reads, in training and in scoring',
  features: [
    { view: customerProfile, features: ['plan_tier', 'monthly_fee', 'region'] },
    customerActivity,
    customerSupport,
    engagement,
  ],
});
