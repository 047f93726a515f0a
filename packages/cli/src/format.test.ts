import { describe, expect, it } from 'vitest';
import { describeSource, truncateWords } from './format.js';

describe('truncateWords', () => {
  it('keeps short text, and cuts long text at a word boundary, never inside a word', () => {
    expect(truncateWords('short', 10)).toBe('short');
    expect(truncateWords('the quick brown fox jumps over the lazy dog', 21)).toBe('the quick brown fox …');
    expect(truncateWords('the quick brown fox jumps over the lazy dog', 20)).toBe('the quick brown …');
    expect(truncateWords('a=1, b=2, ccccccccccc=3', 14)).toBe('a=1, b=2 …');
    // One overlong word has no boundary to cut at.
    expect(truncateWords('x'.repeat(30), 10)).toBe(`${'x'.repeat(8)} …`);
    for (const n of [5, 10, 17, 30]) expect(truncateWords('lorem ipsum dolor sit amet, consectetur adipiscing elit'.repeat(2), n).length).toBeLessThanOrEqual(n);
  });
});

describe('describeSource', () => {
  it('summarizes a JSON source by its location, or by its short scalar fields', () => {
    expect(describeSource('{"uri": "s3://bucket/churn.parquet", "format": "parquet"}')).toBe('s3://bucket/churn.parquet');
    expect(describeSource('{"datasetId":"a6f9","registryVersion":1,"definitions":[{"kind":"featureView"}]}')).toBe('datasetId=a6f9, registryVersion=1');
    expect(describeSource('{"definitions":[]}')).toBe('(no location recorded)');
  });

  it('shortens plain text at a word boundary', () => {
    expect(describeSource('data/churn.parquet')).toBe('data/churn.parquet');
    expect(describeSource('a long description of where these rows came from', 30)).toBe('a long description of where …');
    expect(describeSource('a long description of where these rows came from', 28)).toBe('a long description of …');
  });
});
